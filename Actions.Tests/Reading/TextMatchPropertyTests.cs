using Actions.Data.Databases.Engines;
using Actions.Data.Databases.Sqlite;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Data.Sqlite;

namespace Actions.Tests.Reading;

/// <summary>
/// The text-match clauses' patterns (LIKE with <c>!</c> escapes, SQLite's GLOB with bracketed wildcards) run in SQLite
/// agree with .NET's own <c>Contains</c>/<c>StartsWith</c>/<c>EndsWith</c> for texts full of wildcard and escape
/// characters. Fixed seed: every run replays the same cases.
/// </summary>
public sealed class TextMatchPropertyTests : IDisposable
{
    private const string Seed = "(20261201,1605)";

    private static readonly string[] Pieces = ["%", "_", "!", "*", "?", "[", "]", "^", "-", "\\", "'", "a", "A", "b", "é", "😀", " "];

    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public TextMatchPropertyTests() => _connection.Open();

    public void Dispose() => _connection.Dispose();

    public static class Arbitraries
    {
        public static Arbitrary<string> Text() =>
            Arb.From(Gen.Elements(Pieces).ListOf().Select(parts => string.Concat(parts.Take(6))));
    }

    private bool Matches(string text, TextMatchKind kind, string value, bool caseSensitive)
    {
        var engine = new SqliteEngine();
        var (sql, pattern) = engine.TextMatch("@text", "@pattern", kind, value, caseSensitive);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT " + sql;
        command.Parameters.AddWithValue("@text", text);
        command.Parameters.AddWithValue("@pattern", pattern);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private static bool Expected(string text, TextMatchKind kind, string value, StringComparison comparison) => kind switch
    {
        TextMatchKind.Contains => text.Contains(value, comparison),
        TextMatchKind.StartsWith => text.StartsWith(value, comparison),
        _ => text.EndsWith(value, comparison),
    };

    [Property(Arbitrary = [typeof(Arbitraries)], Replay = Seed, MaxTest = 500)]
    public void Case_sensitive_matches_are_ordinal(string text, string value)
    {
        foreach (var kind in new[] { TextMatchKind.Contains, TextMatchKind.StartsWith, TextMatchKind.EndsWith })
            Assert.True(Expected(text, kind, value, StringComparison.Ordinal) == Matches(text, kind, value, true), $"{kind} '{value}' in '{text}'");
    }

    /// <summary>SQLite lower-cases ASCII only, so the comparison is ordinal after ASCII lower-casing (é stays é).</summary>
    [Property(Arbitrary = [typeof(Arbitraries)], Replay = Seed, MaxTest = 500)]
    public void Case_insensitive_matches_ignore_ascii_case(string text, string value)
    {
        static string AsciiLower(string s) => string.Concat(s.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c));
        foreach (var kind in new[] { TextMatchKind.Contains, TextMatchKind.StartsWith, TextMatchKind.EndsWith })
            Assert.True(Expected(AsciiLower(text), kind, AsciiLower(value), StringComparison.Ordinal) == Matches(text, kind, value, false), $"{kind} '{value}' in '{text}'");
    }
}
