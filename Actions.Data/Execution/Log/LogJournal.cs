using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Numerics;
using System.Text.Json;

namespace Actions.Data.Execution.Log;

/// <summary>
/// The SQLite store's write-ahead journal of execution log entries: a run's entry is copied into a memory-mapped
/// segment file beside the store before its answer is sent, and moved into the <c>ExecutionLog</c> table later, many
/// entries per transaction. A copy into a shared file mapping is in the operating system's page cache as soon as it is
/// made, so killing the process loses nothing that was copied — the same promise SQLite's WAL gives with
/// <c>synchronous=NORMAL</c>, at the cost of a memory copy instead of a commit per run. At the next start the
/// entries not yet moved are replayed (<see cref="Read"/>).
/// A record is its payload's length (written while the space is reserved, so every later record stays reachable),
/// its sequence number, the entry as UTF-8 JSON and a CRC-32C over sequence and payload written last: a record the
/// process died while copying fails its checksum and is skipped (its run was never answered).
/// </summary>
public sealed class LogJournal : IDisposable
{
    public const int DefaultSegmentBytes = 16 << 20;
    private const int HeaderBytes = 16;   // length (int32), unused (int32), sequence (int64)
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
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

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
    public static LogJournal Open(string folder, Func<IReadOnlyList<(long Seq, ExecutionLogEntry Entry)>, long> replay,
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
    public static List<(long Seq, ExecutionLogEntry Entry)> Read(string folder)
    {
        var records = new List<(long, ExecutionLogEntry)>();
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
                var seq = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at + 8));
                var payload = bytes.AsSpan((int)at + HeaderBytes, length);
                var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + HeaderBytes + length));
                if (stored == Checksum(seq, payload) && TryDeserialize(payload) is { } entry) records.Add((seq, entry));
                at += Align(HeaderBytes + length + TrailerBytes);
            }
        }
        records.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return records;
    }

    /// <summary>The sequence number the last reserved record got.</summary>
    public long LastSeq
    {
        get { lock (_gate) return _nextSeq - 1; }
    }

    /// <summary>
    /// Copies the entry into the journal and returns its sequence number. Throws only before a number is given
    /// (the entry could not be written at all); <paramref name="copied"/> is false when the copy failed afterwards
    /// (a torn record, skipped by a replay), so the caller always learns a given number.
    /// </summary>
    public long Append(ExecutionLogEntry entry, out bool copied)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        Serialize(writer, entry);
        writer.Flush();
        var payload = buffer.WrittenSpan;
        var size = Align(HeaderBytes + payload.Length + TrailerBytes);
        Segment segment;
        long at, seq;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_segments.Count == 0 || _offset + size > _segments[^1].Capacity) StartSegment(size);
            segment = _segments[^1];
            at = _offset;
            seq = _nextSeq;
            segment.View.Write(at, payload.Length);
            _offset += size;
            _nextSeq++;
            segment.LastSeq = seq;
        }
        try
        {
            var view = segment.View;
            view.Write(at + 8, seq);
            view.SafeMemoryMappedViewHandle.WriteSpan((ulong)(view.PointerOffset + at + HeaderBytes), payload);
            view.Write(at + HeaderBytes + payload.Length, Checksum(seq, payload));
            copied = true;
        }
        catch (ObjectDisposedException)
        {
            copied = false;
        }
        return seq;
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

    private static void Serialize(Utf8JsonWriter w, ExecutionLogEntry e)
    {
        w.WriteStartObject();
        w.WriteNumber("action_id", e.ActionId);
        w.WriteString("action_name", e.ActionName);
        w.WriteString("action_type", e.ActionType);
        w.WriteString("source", e.Source);
        if (e.UserId is { } user) w.WriteNumber("user_id", user);
        if (e.ClientIp is { } ip) w.WriteString("client_ip", ip);
        w.WriteString("started_at", e.StartedAt);
        w.WriteNumber("duration_ms", e.DurationMs);
        w.WriteString("status", e.Status);
        w.WriteNumber("http_status", e.HttpStatus);
        if (e.ResultJson is { } result) w.WriteString("result", result);
        if (e.Error is { } error) w.WriteString("error", error);
        if (e.ParametersJson is { } parameters) w.WriteString("parameters", parameters);
        if (e.IsDraft) w.WriteBoolean("draft", true);
        w.WriteEndObject();
    }

    private static ExecutionLogEntry? TryDeserialize(ReadOnlySpan<byte> payload)
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

    private sealed class Segment(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long capacity) : IDisposable
    {
        public MemoryMappedViewAccessor View { get; } = view;
        public long Capacity { get; } = capacity;
        /// <summary>The highest sequence number reserved in this segment (set under the journal's lock).</summary>
        public long LastSeq { get; set; }

        public static Segment Create(string path, long capacity)
        {
            // Shared with readers (a reader of the folder, as a start after a crash reads it); the folder's owner lock
            // keeps other processes from writing.
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
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
