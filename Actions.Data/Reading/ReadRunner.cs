using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases.Engines;

namespace Actions.Data.Reading;

/// <summary>The rows of a read: at most the cap, whether there were more, and the columns as they came back.</summary>
internal sealed record ReadRows(IReadOnlyList<JsonArray> Rows, IReadOnlyList<DatasetColumn> Columns, bool Truncated);

/// <summary>
/// Runs a read's SQL in a read-only transaction with the statement timeout, cancelled on the database when it passes,
/// and turns its rows into JSON by base type — through the engine's seam only.
/// </summary>
internal static class ReadRunner
{
    public static async Task<ReadRows> RunAsync(IDatabaseEngine engine, string connectionString, ReadPlan plan, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        try
        {
            DbConnection connection;
            try
            {
                connection = await engine.OpenAsync(connectionString, token);
            }
            catch (Exception e) when ((e is InvalidOperationException or System.Net.Sockets.SocketException) && !token.IsCancellationRequested)
            {
                throw new ReadFailure(engine.Describe(e));
            }
            await using (connection)
            {
                await using var transaction = await engine.BeginReadOnlyAsync(connection, token);
                await using var command = connection.CreateCommand();
                command.Transaction = transaction.Transaction;
                command.CommandText = plan.Sql;
                if (command.CommandTimeout is > 0 and var set && set < timeout.TotalSeconds) command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds) + 1;
                for (var i = 0; i < plan.Parameters.Count; i++)
                {
                    var p = plan.Parameters[i];
                    var name = engine.ParameterName(i);
                    if (p.ForColumn)
                    {
                        command.Parameters.Add(engine.ColumnParameter(command, name, p.Value));
                        continue;
                    }
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = p.Value ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }
                using var cancelling = engine.CancelOnDatabase(connection, token);
                return await ReadAsync(engine, command, plan, token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DbException && deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ReadFailure(TimeoutMessage(timeout));
        }
        catch (DbException e)
        {
            throw new ReadFailure(engine.Describe(e));
        }
    }

    public static string TimeoutMessage(TimeSpan timeout) =>
        $"The query was cancelled: it ran longer than the statement timeout of {timeout.TotalSeconds:0} seconds.";

    private static async Task<ReadRows> ReadAsync(IDatabaseEngine engine, DbCommand command, ReadPlan plan, CancellationToken ct)
    {
        var reader = await command.ExecuteReaderAsync(ct);
        var stoppedEarly = false;
        try
        {
            var rows = new List<JsonArray>();
            IReadOnlyList<DatasetColumn>? columns = plan.Columns;
            string[]? baseTypes = columns?.Select(c => c.BaseType).ToArray();
            var fetch = plan.Capped ? DatasetService.MaxRows : int.MaxValue;
            while (rows.Count < fetch && await reader.ReadAsync(ct))
            {
                if (columns is null)
                {
                    // Native SQL: the driver says what each column is (SQLite only once there is a row).
                    columns = ResultColumns(engine, reader);
                    baseTypes = columns.Select(c => c.BaseType).ToArray();
                }
                var row = new JsonArray();
                for (var i = 0; i < reader.FieldCount; i++)
                    row.Add(engine.ToJson(await reader.IsDBNullAsync(i, ct) ? null : reader.GetValue(i), baseTypes![i]));
                rows.Add(row);
            }
            columns ??= ResultColumns(engine, reader);
            // As Metabase: an answer that reached the cap says so (whether or not more rows were left).
            var truncated = rows.Count == fetch;
            stoppedEarly = truncated && !plan.LimitedInSql;
            return new ReadRows(rows, columns, truncated);
        }
        finally
        {
            // Rows left unread would be fetched to the end when the reader closes: the statement is cancelled instead.
            if (stoppedEarly) command.Cancel();
            try
            {
                await reader.DisposeAsync();
            }
            catch (Exception e) when (stoppedEarly && e is DbException or OperationCanceledException)
            {
                // The cancellation asked for above.
            }
        }
    }

    private static List<DatasetColumn> ResultColumns(IDatabaseEngine engine, DbDataReader reader) =>
        Enumerable.Range(0, reader.FieldCount).Select(i => Columns.Native(reader.GetName(i), engine.ResultBaseType(reader, i))).ToList();

    /// <summary>The values bound, as JSON, for the answer's <c>native_form</c>.</summary>
    public static JsonArray ParamsOf(ReadPlan plan) =>
        new(plan.Parameters.Select(p => p.Value is null ? null : JsonSerializer.SerializeToNode(p.Value)).ToArray());
}
