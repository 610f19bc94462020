using System.Data.Common;

namespace Actions.Data.Databases.Engines;

/// <summary>
/// A read-only transaction a read runs in (data-api.md): a write inside fails with the database's message. Disposing it
/// rolls back and gives the connection back as it was (SQLite's <c>query_only</c> is a setting of the pooled handle).
/// </summary>
public sealed class ReadOnlyTransaction(DbTransaction transaction, Func<ValueTask>? restore = null) : IAsyncDisposable
{
    public DbTransaction Transaction => transaction;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.RollbackAsync();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // A failed or cancelled statement may already have ended the transaction.
        }
        await transaction.DisposeAsync();
        if (restore is not null) await restore();
    }
}

/// <summary>Where a text match looks for its value: <c>contains</c>, <c>starts-with</c>, <c>ends-with</c>.</summary>
public enum TextMatchKind { Contains, StartsWith, EndsWith }

/// <summary>The parts of the read seam every engine shares unless it knows better.</summary>
public static class EngineReads
{
    /// <summary>The escape character of LIKE patterns: not a backslash, whose meaning in literals differs between engines.</summary>
    public const char LikeEscape = '!';

    /// <summary>A LIKE pattern matching <paramref name="value"/> literally where <paramref name="kind"/> says.</summary>
    public static string LikePattern(TextMatchKind kind, string value)
    {
        var escaped = new System.Text.StringBuilder(value.Length + 2);
        foreach (var c in value)
        {
            if (c is '%' or '_' or LikeEscape) escaped.Append(LikeEscape);
            escaped.Append(c);
        }
        var literal = escaped.ToString();
        return kind switch
        {
            TextMatchKind.Contains => "%" + literal + "%",
            TextMatchKind.StartsWith => literal + "%",
            _ => "%" + literal,
        };
    }

    /// <summary><c>column LIKE pattern</c>, case-insensitive by lower-casing both sides when asked.</summary>
    public static string Like(string column, string placeholder, bool caseSensitive) => caseSensitive
        ? $"{column} LIKE {placeholder} ESCAPE '{LikeEscape}'"
        : $"LOWER({column}) LIKE LOWER({placeholder}) ESCAPE '{LikeEscape}'";
}
