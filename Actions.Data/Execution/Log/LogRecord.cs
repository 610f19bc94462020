using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Actions.Data.Execution.Log;

/// <summary>
/// An execution log entry as the SQLite store's journal keeps it: a fixed part (numbers, time, flags) followed by the
/// text fields as UTF-8, each after its byte length (−1 for null). Written on the run's path, so it is a copy and a
/// transcode, not a serialisation (JSON escaped every quote of the result and parameters, the journal's largest cost);
/// the journal's mover binds the texts straight from these bytes (<see cref="Reader"/>).
/// </summary>
internal static class LogRecord
{
    // action id (int32), user id (int32), started at (ticks, int64), duration ms (int32), HTTP status (int32),
    // flags (byte), DateTimeKind (byte), 2 bytes unused.
    private const int FixedBytes = 28;
    private const byte HasUser = 1, Draft = 2;

    /// <summary>The text fields in the order they are written.</summary>
    public const int TextCount = 8;

    public static void Write(IBufferWriter<byte> output, ExecutionLogEntry e)
    {
        var max = FixedBytes + TextCount * 4 + MaxBytes(e.ActionName) + MaxBytes(e.ActionType) + MaxBytes(e.Source) +
            MaxBytes(e.ClientIp) + MaxBytes(e.Status) + MaxBytes(e.ResultJson) + MaxBytes(e.Error) + MaxBytes(e.ParametersJson);
        var span = output.GetSpan(max);
        BinaryPrimitives.WriteInt32LittleEndian(span, e.ActionId);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], e.UserId ?? 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], e.StartedAt.Ticks);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], e.DurationMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], e.HttpStatus);
        span[24] = (byte)((e.UserId is null ? 0 : HasUser) | (e.IsDraft ? Draft : 0));
        span[25] = (byte)e.StartedAt.Kind;
        span[26] = span[27] = 0;
        var at = FixedBytes;
        // The same order as Decode and the mover's bind reads them.
        at += WriteText(span[at..], e.ActionName);
        at += WriteText(span[at..], e.ActionType);
        at += WriteText(span[at..], e.Source);
        at += WriteText(span[at..], e.ClientIp);
        at += WriteText(span[at..], e.Status);
        at += WriteText(span[at..], e.ResultJson);
        at += WriteText(span[at..], e.Error);
        at += WriteText(span[at..], e.ParametersJson);
        output.Advance(at);
    }

    /// <summary>The entry back from its record; null when the bytes are not a whole record.</summary>
    public static ExecutionLogEntry? Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            var r = new Reader(payload);
            var e = new ExecutionLogEntry
            {
                ActionId = r.ActionId,
                UserId = r.UserId,
                StartedAt = r.StartedAt,
                DurationMs = r.DurationMs,
                HttpStatus = r.HttpStatus,
                IsDraft = r.IsDraft,
            };
            e.ActionName = r.NextText() ?? "";
            e.ActionType = r.NextText() ?? "";
            e.Source = r.NextText() ?? "";
            e.ClientIp = r.NextText();
            e.Status = r.NextText() ?? "";
            e.ResultJson = r.NextText();
            e.Error = r.NextText();
            e.ParametersJson = r.NextText();
            return r.AtEnd ? e : null;
        }
        catch (ArgumentException)
        {
            // Out of range included: a length pointing past the record.
            return null;
        }
    }

    private static int MaxBytes(string? text) => text is null ? 0 : Encoding.UTF8.GetMaxByteCount(text.Length);

    private static int WriteText(Span<byte> span, string? text)
    {
        if (text is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, -1);
            return 4;
        }
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        return 4 + length;
    }

    /// <summary>Reads a record: the fixed fields at any time, the texts one after another (<see cref="TryNextText"/>).</summary>
    public ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _payload;
        private int _at;

        public Reader(ReadOnlySpan<byte> payload)
        {
            if (payload.Length < FixedBytes) throw new ArgumentException("Not a whole execution log record", nameof(payload));
            _payload = payload;
            _at = FixedBytes;
        }

        public readonly int ActionId => BinaryPrimitives.ReadInt32LittleEndian(_payload);
        public readonly int? UserId => (_payload[24] & HasUser) != 0 ? BinaryPrimitives.ReadInt32LittleEndian(_payload[4..]) : null;
        public readonly DateTime StartedAt => new(BinaryPrimitives.ReadInt64LittleEndian(_payload[8..]), (DateTimeKind)(_payload[25] & 3));
        public readonly int DurationMs => BinaryPrimitives.ReadInt32LittleEndian(_payload[16..]);
        public readonly int HttpStatus => BinaryPrimitives.ReadInt32LittleEndian(_payload[20..]);
        public readonly bool IsDraft => (_payload[24] & Draft) != 0;
        public readonly bool AtEnd => _at == _payload.Length;

        /// <summary>The next text field as UTF-8; false when it is null.</summary>
        public bool TryNextText(out ReadOnlySpan<byte> utf8)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(_payload[_at..]);
            _at += 4;
            if (length < 0)
            {
                utf8 = default;
                return false;
            }
            utf8 = _payload.Slice(_at, length);
            _at += length;
            return true;
        }

        public string? NextText() => TryNextText(out var utf8) ? Encoding.UTF8.GetString(utf8) : null;
    }
}
