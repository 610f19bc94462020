using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Actions.Data.Store;

/// <summary>
/// On a PostgreSQL store, every transaction the app opens takes one transaction-level advisory lock first, so
/// transactions that write run one at a time, across every instance on the store: the check-then-write steps
/// (a permission graph's revision, a name not yet taken) behave as on SQLite, whose transactions start with
/// <c>BEGIN IMMEDIATE</c>. Reads outside transactions and the execution log's COPY never wait for it.
/// </summary>
internal sealed class SerializedWrites : DbTransactionInterceptor
{
    public static readonly SerializedWrites Instance = new();

    /// <summary>The lock's key: a constant the app uses for nothing else.</summary>
    private const string TakeLock = "SELECT pg_advisory_xact_lock(6599116105111110115)";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var command = LockCommand(connection, result);
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData,
        DbTransaction result, CancellationToken cancellationToken = default)
    {
        await using var command = LockCommand(connection, result);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    private static DbCommand LockCommand(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = TakeLock;
        return command;
    }
}
