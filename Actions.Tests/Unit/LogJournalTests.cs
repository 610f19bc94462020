using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using Actions.Data.Execution.Log;

namespace Actions.Tests.Unit;

/// <summary>
/// The SQLite store's execution log journal: what a start after a crash reads back, torn records, segments that come
/// and go, one process per journal.
/// </summary>
public sealed class LogJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actions-journal-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ExecutionLogEntry Entry(int i, string? parameters = null) => new()
    {
        ActionId = 7,
        ActionName = $"Rename ü {i}",
        ActionType = "query",
        Source = i % 2 == 0 ? "api" : "public",
        UserId = i % 2 == 0 ? 3 : null,
        ClientIp = i % 2 == 0 ? null : "203.0.113.9",
        StartedAt = new DateTime(2026, 12, 1, 6, 0, 0, DateTimeKind.Utc).AddTicks(i * 1_234_567),
        DurationMs = i,
        Status = i % 3 == 0 ? "error" : "success",
        HttpStatus = i % 3 == 0 ? 400 : 200,
        ResultJson = i % 3 == 0 ? null : """{"rows-affected":1}""",
        Error = i % 3 == 0 ? "Bad \"value\"\n\u0000 here" : null,
        ParametersJson = parameters ?? $$"""{"name":"run-{{i}}"}""",
        IsDraft = i % 5 == 0,
    };

    private static LogJournal OpenEmpty(string folder, int segmentBytes = LogJournal.DefaultSegmentBytes) =>
        LogJournal.Open(folder, records => records.Count == 0 ? 0 : throw new InvalidOperationException("unexpected records"), segmentBytes);

    [Fact]
    public void Every_appended_entry_reads_back_whole_and_in_order()
    {
        using var journal = OpenEmpty(_folder);
        var expected = Enumerable.Range(1, 50).Select(i => Entry(i)).ToList();
        var slots = expected.Select(journal.Append).ToList();
        Assert.All(slots, s => Assert.True(s.Copied));
        var seqs = slots.Select(s => s.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), seqs);
        Assert.Equal(50, journal.LastSeq);

        var read = LogJournal.Read(_folder);
        Assert.Equal(seqs, read.Select(r => r.Seq));
        Assert.Equal(expected.Select(Describe), read.Select(r => Describe(r.Entry)));
        // What the mover reads back from where each record was put is the same entry.
        Assert.Equal(expected.Select(Describe), slots.Select(s =>
        {
            var payload = new ArrayBufferWriter<byte>();
            LogJournal.CopyPayload(s, payload);
            return Describe(LogRecord.Decode(payload.WrittenSpan)!);
        }));
    }

    [Fact]
    public void Records_left_in_the_first_format_by_an_earlier_version_are_replayed()
    {
        // The first journal wrote each entry as JSON, with 0 in the header's format field.
        Directory.CreateDirectory(_folder);
        var json = """{"action_id":7,"action_name":"Old \"one\"","action_type":"query","source":"api","user_id":3,"started_at":"2026-11-30T10:00:00.1234567Z","duration_ms":12,"status":"success","http_status":200,"result":"{\"rows-affected\":1}","parameters":"{\"name\":\"old\"}"}"""u8.ToArray();
        var record = new byte[(16 + json.Length + 4 + 7) & ~7];
        BinaryPrimitives.WriteInt32LittleEndian(record, json.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), 4);
        json.CopyTo(record, 16);
        var crc = BitOperations.Crc32C(0xFFFFFFFFu, 4UL);
        var rest = json.AsSpan();
        for (; rest.Length >= 8; rest = rest[8..]) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(rest));
        foreach (var b in rest) crc = BitOperations.Crc32C(crc, b);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(16 + json.Length), ~crc);
        File.WriteAllBytes(Path.Combine(_folder, "00000000.segment"), record);

        List<JournalRecord>? replayed = null;
        using var journal = LogJournal.Open(_folder, records =>
        {
            replayed = records.ToList();
            return 0;
        });
        var old = Assert.Single(replayed!);
        Assert.Equal(4, old.Seq);
        Assert.Equal("7|Old \"one\"|query|api|3||2026-11-30T10:00:00.1234567Z|Utc|12|success|200|{\"rows-affected\":1}||{\"name\":\"old\"}|False", Describe(old.Entry));
        // Its payload is in the current format, as the mover binds it.
        Assert.Equal(Describe(old.Entry), Describe(LogRecord.Decode(old.Payload.Span)!));
        Assert.Equal(5, journal.Append(Entry(5)).Seq);
    }

    private static string Describe(ExecutionLogEntry e) =>
        $"{e.ActionId}|{e.ActionName}|{e.ActionType}|{e.Source}|{e.UserId}|{e.ClientIp}|{e.StartedAt:O}|{e.StartedAt.Kind}|{e.DurationMs}|{e.Status}|" +
        $"{e.HttpStatus}|{e.ResultJson}|{e.Error}|{e.ParametersJson}|{e.IsDraft}";

    [Fact]
    public void A_record_torn_by_a_crash_is_skipped_and_the_records_after_it_are_kept()
    {
        using (var journal = OpenEmpty(_folder))
            for (var i = 1; i <= 3; i++) journal.Append(Entry(i));
        // The second record's payload, half copied when the process died: its checksum no longer matches.
        var segment = Directory.GetFiles(_folder, "*.segment").Single();
        var bytes = File.ReadAllBytes(segment);
        var second = IndexOf(bytes, "run-2"u8);
        bytes[second] ^= 0x20;
        File.WriteAllBytes(segment, bytes);

        Assert.Equal([1L, 3L], LogJournal.Read(_folder).Select(r => r.Seq));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    [Fact]
    public void Segments_rotate_and_only_fully_moved_ones_are_removed()
    {
        using var journal = OpenEmpty(_folder, segmentBytes: 1024);
        for (var i = 1; i <= 40; i++) journal.Append(Entry(i));
        var segments = Directory.GetFiles(_folder, "*.segment").Length;
        Assert.True(segments > 5, $"{segments} segments");

        journal.Release(20);
        var left = LogJournal.Read(_folder).Select(r => r.Seq).ToList();
        Assert.True(left.Count < 40);
        // Nothing after the mark is gone, and what is left is a tail of the sequence.
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i).Where(s => s >= left[0]), left);
        Assert.True(left[0] <= 21);

        // The segment being written stays, even when everything is moved.
        journal.Release(40);
        Assert.Single(Directory.GetFiles(_folder, "*.segment"));
        Assert.Contains(40L, LogJournal.Read(_folder).Select(r => r.Seq));
    }

    [Fact]
    public void A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        var large = $$"""{"name":"{{new string('x', 10_000)}}"}""";
        using var journal = OpenEmpty(_folder, segmentBytes: 1024);
        journal.Append(Entry(1));
        Assert.True(journal.Append(Entry(2, large)).Copied);
        journal.Append(Entry(3));
        var read = LogJournal.Read(_folder);
        Assert.Equal([1L, 2L, 3L], read.Select(r => r.Seq));
        Assert.Equal(large, read[1].Entry.ParametersJson);
    }

    [Fact]
    public void A_second_process_is_refused_and_a_later_start_replays_and_numbers_after_the_highest()
    {
        var first = OpenEmpty(_folder);
        for (var i = 1; i <= 5; i++) first.Append(Entry(i));
        var refused = Assert.Throws<InvalidOperationException>(() => OpenEmpty(_folder));
        Assert.Contains("Another process is using the execution log journal", refused.Message);
        first.Dispose(); // as a crash leaves it: the segments stay

        List<long>? replayed = null;
        using var second = LogJournal.Open(_folder, records =>
        {
            replayed = records.Select(r => r.Seq).ToList();
            return 3; // the table had the first three already
        });
        Assert.Equal([1L, 2L, 3L, 4L, 5L], replayed);
        // Replayed segments are gone; numbering goes on after the highest number seen.
        Assert.Empty(LogJournal.Read(_folder));
        Assert.Equal(6, second.Append(Entry(6)).Seq);
    }

    [Fact]
    public void Closing_with_everything_moved_leaves_nothing_to_replay()
    {
        var journal = OpenEmpty(_folder);
        journal.Append(Entry(1));
        journal.Dispose(allMoved: true);
        Assert.Empty(Directory.GetFiles(_folder, "*.segment"));
        Assert.Throws<ObjectDisposedException>(() => journal.Append(Entry(2)));
    }
}
