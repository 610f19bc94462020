using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Actions.Data.Execution.Log;

/// <summary>
/// The SQLite store's write-ahead journal of execution log entries: a run's entry is copied into a memory-mapped
/// segment file beside the store before its answer is sent, and moved into the <c>ExecutionLog</c> table later, many
/// entries per transaction. A copy into a shared file mapping is in the operating system's page cache as soon as it is
/// made, so killing the process loses nothing that was copied — the same promise SQLite's WAL gives with
/// <c>synchronous=NORMAL</c>, at the cost of a memory copy instead of a commit per run. At the next start the
/// entries not yet moved are replayed (<see cref="Read"/>).
/// A record is its payload's length and format (written while the space is reserved, so every later record stays
/// reachable), its sequence number, the entry (<see cref="LogRecord"/>) and a CRC-32C over sequence and payload written
/// last: a record the process died while copying fails its checksum and is skipped (its run was never answered).
/// The mover reads a record back from where <see cref="Append"/> put it (<see cref="CopyPayload"/>), so the entry
/// objects are garbage as soon as the run is answered.
/// </summary>
public sealed class LogJournal : IDisposable
{
    public const int DefaultSegmentBytes = 16 << 20;
    private const int HeaderBytes = 16;   // length (int32), format (int32), sequence (int64)
    /// <summary>The payload is JSON (the first journal's format, still replayed after an upgrade).</summary>
    private const int FormatJson = 0;
    /// <summary>The payload is a <see cref="LogRecord"/>.</summary>
    private const int FormatRecord = 1;
    private const int TrailerBytes = 4;   // CRC-32C
    private const string SegmentPattern = "*.segment";

    private readonly string _folder;
    private readonly int _segmentBytes;
    private readonly FileStream _owner;
    private readonly object _gate = new();
    private readonly List<Segment> _segments = [];
    private long _offset;
    private long _nextSeq;
    private int _nextIndex;
    private bool _disposed;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    private LogJournal(string folder, FileStream owner, long firstSeq, int segmentBytes)
    {
        _folder = folder;
        _owner = owner;
        _nextSeq = firstSeq;
        _segmentBytes = segmentBytes;
    }

    /// <summary>
    /// Takes the folder for this process (a second process on the same store is refused: one SQLite store, one
    /// process), hands every intact record left by an earlier process to <paramref name="replay"/> in sequence order,
    /// then removes the old segments and numbers new records after the highest sequence seen.
    /// </summary>
    public static LogJournal Open(string folder, Func<IReadOnlyList<JournalRecord>, long> replay,
        int segmentBytes = DefaultSegmentBytes)
    {
        Directory.CreateDirectory(folder);
        FileStream owner;
        try
        {
            owner = new FileStream(Path.Combine(folder, "owner.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another process is using the execution log journal in {folder}: a SQLite store serves one process (several instances need the PostgreSQL store).", e);
        }
        try
        {
            var records = Read(folder);
            var last = replay(records);
            foreach (var file in Directory.EnumerateFiles(folder, SegmentPattern)) File.Delete(file);
            var highest = records.Count > 0 ? Math.Max(last, records[^1].Seq) : last;
            return new LogJournal(folder, owner, highest + 1, segmentBytes);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Every intact record in the folder's segments, in sequence order (what a start after a crash replays).</summary>
    public static List<JournalRecord> Read(string folder)
    {
        var records = new List<JournalRecord>();
        if (!Directory.Exists(folder)) return records;
        foreach (var file in Directory.EnumerateFiles(folder, SegmentPattern))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (FileNotFoundException)
            {
                continue; // moved into the table and removed meanwhile
            }
            long at = 0;
            while (at + HeaderBytes + TrailerBytes <= bytes.Length)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)at));
                if (length <= 0 || at + HeaderBytes + length + TrailerBytes > bytes.Length) break;
                var format = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)at + 4));
                var seq = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at + 8));
                var payload = bytes.AsMemory((int)at + HeaderBytes, length);
                var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + HeaderBytes + length));
                if (stored == Checksum(seq, payload.Span) && ToRecord(format, seq, payload) is { } record) records.Add(record);
                at += Align(HeaderBytes + length + TrailerBytes);
            }
        }
        records.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return records;
    }

    private static JournalRecord? ToRecord(int format, long seq, ReadOnlyMemory<byte> payload)
    {
        switch (format)
        {
            case FormatRecord:
                return LogRecord.Decode(payload.Span) is { } entry ? new JournalRecord(seq, payload, entry) : null;
            case FormatJson:
                if (FromJson(payload.Span) is not { } old) return null;
                var buffer = new ArrayBufferWriter<byte>();
                LogRecord.Write(buffer, old);
                return new JournalRecord(seq, buffer.WrittenMemory, old);
            default:
                return null;
        }
    }

    /// <summary>The sequence number the last reserved record got.</summary>
    public long LastSeq
    {
        get { lock (_gate) return _nextSeq - 1; }
    }

    /// <summary>
    /// Copies the entry into the journal and returns where it is, with its sequence number. Throws only before a
    /// number is given (the entry could not be written at all); the slot is not <see cref="Slot.Copied"/> when the copy
    /// failed afterwards (a torn record, skipped by a replay), so the caller always learns a given number.
    /// </summary>
    public Slot Append(ExecutionLogEntry entry)
    {
        // The record from its sequence number on, composed in this thread's buffer and copied with one write:
        // sequence (filled in once given), payload, checksum.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        buffer.GetSpan(8);
        buffer.Advance(8);
        LogRecord.Write(buffer, entry);
        var length = buffer.WrittenCount - 8;
        buffer.GetSpan(TrailerBytes);
        buffer.Advance(TrailerBytes);
        var size = Align(HeaderBytes + length + TrailerBytes);
        Segment segment;
        long at, seq;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_segments.Count == 0 || _offset + size > _segments[^1].Capacity) StartSegment(size);
            segment = _segments[^1];
            at = _offset;
            seq = _nextSeq;
            // Length and format (little-endian, one write).
            segment.View.Write(at, (uint)length | (long)FormatRecord << 32);
            _offset += size;
            _nextSeq++;
            segment.LastSeq = seq;
        }
        var record = MemoryMarshal.AsMemory(buffer.WrittenMemory).Span;
        BinaryPrimitives.WriteInt64LittleEndian(record, seq);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(8 + length)..], Checksum(seq, record.Slice(8, length)));
        try
        {
            // However the copy proceeds, a record cut short fails its checksum.
            var view = segment.View;
            view.SafeMemoryMappedViewHandle.WriteSpan((ulong)(view.PointerOffset + at + 8), (ReadOnlySpan<byte>)record);
            return new Slot(seq, segment, at + HeaderBytes, length);
        }
        catch (ObjectDisposedException)
        {
            return new Slot(seq, null, 0, 0);
        }
    }

    /// <summary>
    /// Appends the payload of a copied record to <paramref name="into"/>. The record's segment is kept until its
    /// sequence number is released, so only a record not yet released may be read (the mover's own).
    /// </summary>
    public static void CopyPayload(in Slot slot, IBufferWriter<byte> into)
    {
        var segment = slot.Segment ?? throw new InvalidOperationException("The record was not copied into the journal.");
        var view = segment.View;
        var span = into.GetSpan(slot.Length)[..slot.Length];
        view.SafeMemoryMappedViewHandle.ReadSpan((ulong)(view.PointerOffset + slot.Offset), span);
        into.Advance(slot.Length);
    }

    /// <summary>Removes the segments whose every record is in the table (sequence numbers up to <paramref name="moved"/>).</summary>
    public void Release(long moved)
    {
        List<Segment> done;
        lock (_gate)
        {
            // The segment being written stays until a newer one takes over.
            done = _segments.Take(_segments.Count - 1).Where(s => s.LastSeq <= moved).ToList();
            foreach (var s in done) _segments.Remove(s);
        }
        foreach (var s in done) s.Delete();
    }

    /// <summary>Closes the journal; with <paramref name="allMoved"/> its segments are removed (nothing left to replay).</summary>
    public void Dispose(bool allMoved)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        foreach (var s in _segments)
        {
            if (allMoved) s.Delete();
            else s.Dispose();
        }
        _segments.Clear();
        _owner.Dispose();
    }

    public void Dispose() => Dispose(allMoved: false);

    private void StartSegment(int recordSize)
    {
        var capacity = Math.Max(_segmentBytes, recordSize);
        var path = Path.Combine(_folder, $"{_nextIndex++:D8}.segment");
        _segments.Add(Segment.Create(path, capacity));
        _offset = 0;
    }

    private static int Align(int size) => (size + 7) & ~7;

    private static uint Checksum(long seq, ReadOnlySpan<byte> payload)
    {
        var crc = BitOperations.Crc32C(0xFFFFFFFFu, (ulong)seq);
        for (; payload.Length >= 8; payload = payload[8..]) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(payload));
        foreach (var b in payload) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>A record of the first journal format (JSON), left by an earlier version that stopped without moving it.</summary>
    private static ExecutionLogEntry? FromJson(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var o = document.RootElement;
            string? Text(string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new ExecutionLogEntry
            {
                ActionId = o.GetProperty("action_id").GetInt32(),
                ActionName = Text("action_name") ?? "",
                ActionType = Text("action_type") ?? "",
                Source = Text("source") ?? "",
                UserId = o.TryGetProperty("user_id", out var user) ? user.GetInt32() : null,
                ClientIp = Text("client_ip"),
                StartedAt = o.GetProperty("started_at").GetDateTime(),
                DurationMs = o.GetProperty("duration_ms").GetInt32(),
                Status = Text("status") ?? "",
                HttpStatus = o.GetProperty("http_status").GetInt32(),
                ResultJson = Text("result"),
                Error = Text("error"),
                ParametersJson = Text("parameters"),
                IsDraft = o.TryGetProperty("draft", out var draft) && draft.ValueKind == JsonValueKind.True,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Where <see cref="Append"/> put a record: its sequence number and, when it was copied, its payload.</summary>
    public readonly struct Slot
    {
        internal Slot(long seq, Segment? segment, long offset, int length)
        {
            Seq = seq;
            Segment = segment;
            Offset = offset;
            Length = length;
        }

        public long Seq { get; }
        /// <summary>False when the copy failed after the number was given (the journal closed meanwhile).</summary>
        public bool Copied => Segment is not null;
        internal Segment? Segment { get; }
        internal long Offset { get; }
        internal int Length { get; }
    }

    internal sealed class Segment(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long capacity) : IDisposable
    {
        public MemoryMappedViewAccessor View { get; } = view;
        public long Capacity { get; } = capacity;
        /// <summary>The highest sequence number reserved in this segment (set under the journal's lock).</summary>
        public long LastSeq { get; set; }

        public static Segment Create(string path, long capacity)
        {
            // Shared with readers (a reader of the folder, as a start after a crash reads it); the folder's owner lock
            // keeps other processes from writing.
            // Preallocated (fallocate) rather than sparse: a run's first write to a page then finds its block allocated.
            var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite | FileShare.Delete,
                PreallocationSize = capacity,
            });
            try
            {
                file.SetLength(capacity);
                var map = MemoryMappedFile.CreateFromFile(file, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
                return new Segment(path, map, map.CreateViewAccessor(0, capacity), capacity);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public void Delete()
        {
            Dispose();
            File.Delete(path);
        }

        public void Dispose()
        {
            View.Dispose();
            map.Dispose();
        }
    }
}

/// <summary>A record read back from the journal's files: its sequence number, its payload (a <see cref="LogRecord"/>) and the entry.</summary>
public readonly struct JournalRecord(long seq, ReadOnlyMemory<byte> payload, ExecutionLogEntry entry)
{
    public long Seq { get; } = seq;
    public ReadOnlyMemory<byte> Payload { get; } = payload;
    public ExecutionLogEntry Entry { get; } = entry;

    public void Deconstruct(out long seq, out ExecutionLogEntry entry)
    {
        seq = Seq;
        entry = Entry;
    }
}
