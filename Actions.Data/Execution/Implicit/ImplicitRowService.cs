using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Actions.Data.Execution;

namespace Actions.Data.Execution.Implicit;

/// <summary>
/// Implicit actions: create, update and delete exactly one row of a model's table, each in one transaction,
/// every value bound as a parameter converted to its column's type, constraint errors translated per engine.
/// Also the prefetch of update/delete forms.
/// </summary>
public sealed class ImplicitRowService(DatabaseConnections connections) : IActionRunner
{
    public string Type => ActionDefinition.ImplicitType;

    private const string WrongType = "Some of your values aren't of the correct type for the database.";

    public async Task<ExecutionResult> RunAsync(RunInput input, CancellationToken ct)
    {
        var kind = input.Action.Implicit!.Kind;
        if (!ActionInput.RunnableKinds.Contains(kind)) throw ApiError.BadRequest("Bulk actions are not supported.");
        var model = input.Model;
        var generated = ActionShapes.Implicit(input.Action, model)!;
        var pk = SinglePrimaryKey(model);
        var pkSlug = ImplicitParameters.Slug(pk.Name);
        var bySlug = generated.Fields.ToDictionary(f => f.Slug, f => f.Field);

        // Null values are dropped: an empty optional input never writes NULL.
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var p in generated.Parameters.OfType<JsonObject>())
        {
            var id = p["id"]!.ToString();
            if (input.Value(id) is { } v) values[id] = v;
        }
        if (kind != "row/create" && !values.ContainsKey(pkSlug)) throw ApiError.BadRequest($"Missing primary key parameter: \"{pkSlug}\"");
        var columns = values.Where(v => v.Key != pkSlug || kind == "row/create").ToList();
        if (kind != "row/delete" && columns.Count == 0) throw ApiError.BadRequest("Implicit parameters must be provided.");

        var (engine, connectionString) = await connections.ResolveAsync(model.Card.DatabaseId, ct);
        var converted = new List<(DbField Field, object? Value)>();
        foreach (var (id, value) in columns)
        {
            var field = bySlug[id];
            if (!engine.TryToParameter(value, field.BaseType, out var dbValue))
                throw new RowError(WrongType);
            converted.Add((field, dbValue));
        }
        object? pkValue = null;
        if (kind != "row/create" && !engine.TryToParameter(values[pkSlug], pk.BaseType, out pkValue))
            throw new RowError(WrongType);

        await using var connection = await OpenAsync(engine, connectionString, ct);
        using var turn = await engine.TakeWriteTurnAsync(connection, ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            var table = engine.QuoteTable(model.Table!.Schema, model.Table.Name);
            switch (kind)
            {
                case "row/create":
                    var row = await InsertAsync(engine, connection, tx, table, model, converted, ct);
                    await tx.CommitAsync(ct);
                    var createdId = row[pk.Name]?.DeepClone();
                    return ExecutionResult.Ok(new JsonObject { ["created-row"] = row }, new JsonObject { ["created-row-id"] = createdId });
                case "row/update":
                    var set = string.Join(", ", converted.Select((c, i) => $"{engine.Quote(c.Field.Name)} = {engine.Placeholder(i)}"));
                    await ExactlyOneAsync(engine, connection, tx, $"UPDATE {table} SET {set} WHERE {engine.Quote(pk.Name)} = {engine.Placeholder(converted.Count)}",
                        converted, pkValue, "update", ct);
                    await tx.CommitAsync(ct);
                    return ExecutionResult.Ok(new JsonObject { ["rows-updated"] = 1 }, new JsonObject { ["rows-updated"] = 1 });
                default:
                    await ExactlyOneAsync(engine, connection, tx, $"DELETE FROM {table} WHERE {engine.Quote(pk.Name)} = {engine.Placeholder(0)}", [], pkValue, "delete", ct);
                    await tx.CommitAsync(ct);
                    return ExecutionResult.Ok(new JsonObject { ["rows-deleted"] = 1 }, new JsonObject { ["rows-deleted"] = 1 });
            }
        }
        catch (DbException e)
        {
            throw await TranslateAsync(engine, connection, tx, e, kind, model, ct);
        }
    }

    /// <summary>The row an update/delete form starts from, keyed by parameter id, without hidden parameters.</summary>
    public async Task<JsonObject> FetchRowAsync(ModelContext model, ImplicitParameters.Generated generated, JsonObject request, HashSet<string> hidden, CancellationToken ct)
    {
        var pk = SinglePrimaryKey(model);
        var pkSlug = ImplicitParameters.Slug(pk.Name);
        if (request[pkSlug] is not { } pkJson) throw ApiError.BadRequest($"Missing primary key parameter: \"{pkSlug}\"");
        var (engine, connectionString) = await connections.ResolveAsync(model.Card.DatabaseId, ct);
        if (!engine.TryToParameter(pkJson, pk.BaseType, out var pkValue))
            throw new RowError(WrongType);
        var wanted = generated.Parameters.OfType<JsonObject>().Select(p => p["id"]!.ToString()).Where(id => !hidden.Contains(id)).ToList();
        var bySlug = generated.Fields.ToDictionary(f => f.Slug, f => f.Field);
        var columns = wanted.Where(bySlug.ContainsKey).Select(id => (Id: id, Field: bySlug[id])).ToList();
        if (columns.Count == 0) return [];
        await using var connection = await OpenAsync(engine, connectionString, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => engine.Quote(c.Field.Name)))} FROM {engine.QuoteTable(model.Table!.Schema, model.Table.Name)} WHERE {engine.Quote(pk.Name)} = {engine.Placeholder(0)}";
        AddParameter(engine, command, 0, pkValue);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) throw ApiError.NotFound();
            var result = new JsonObject();
            for (var i = 0; i < columns.Count; i++)
                result[columns[i].Id] = engine.ToJson(reader.IsDBNull(i) ? null : reader.GetValue(i), columns[i].Field.BaseType);
            return result;
        }
        catch (DbException e)
        {
            throw new RowError(engine.Describe(e));
        }
    }

    private static DbField SinglePrimaryKey(ModelContext model)
    {
        var keys = model.TableFields.Where(f => f.IsPrimaryKey).ToList();
        if (keys.Count != 1 || model.Table is null) throw ApiError.BadRequest("Must execute implicit action on a table with a single primary key.");
        return keys[0];
    }

    private static async Task<DbConnection> OpenAsync(IDatabaseEngine engine, string connectionString, CancellationToken ct)
    {
        try
        {
            return await engine.OpenAsync(connectionString, ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            throw new RowError(engine.Describe(e));
        }
    }

    private static async Task<JsonObject> InsertAsync(IDatabaseEngine engine, DbConnection connection, DbTransaction tx, string table,
        ModelContext model, List<(DbField Field, object? Value)> values, CancellationToken ct)
    {
        var columns = string.Join(", ", values.Select(v => engine.Quote(v.Field.Name)));
        var placeholders = string.Join(", ", values.Select((_, i) => engine.Placeholder(i)));
        var all = model.TableFields.OrderBy(f => f.Position).ToList();
        var returning = string.Join(", ", all.Select(f => engine.Quote(f.Name)));
        var useReturning = engine.ReturnsInsertedRows(connection.ServerVersion);
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"INSERT INTO {table} ({columns}) VALUES ({placeholders})" + (useReturning ? $" RETURNING {returning}" : "");
        for (var i = 0; i < values.Count; i++) AddParameter(engine, command, i, values[i].Value);
        if (useReturning)
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return ReadRow(engine, reader, all);
        }
        // Without RETURNING (MySQL): read the row back by the new key.
        await command.ExecuteNonQueryAsync(ct);
        var pk = all.First(f => f.IsPrimaryKey);
        var given = values.FirstOrDefault(v => v.Field.Id == pk.Id);
        await using var select = connection.CreateCommand();
        select.Transaction = tx;
        select.CommandText = $"SELECT {returning} FROM {table} WHERE {engine.Quote(pk.Name)} = " + (given.Field is null ? engine.LastInsertedKey : engine.Placeholder(0));
        if (given.Field is not null) AddParameter(engine, select, 0, given.Value);
        await using var back = await select.ExecuteReaderAsync(ct);
        await back.ReadAsync(ct);
        return ReadRow(engine, back, all);
    }

    private static JsonObject ReadRow(IDatabaseEngine engine, DbDataReader reader, List<DbField> fields)
    {
        var row = new JsonObject();
        for (var i = 0; i < fields.Count; i++) row[fields[i].Name] = engine.ToJson(reader.IsDBNull(i) ? null : reader.GetValue(i), fields[i].BaseType);
        return row;
    }

    /// <summary>Runs an UPDATE/DELETE that must change exactly one row; otherwise nothing is committed.</summary>
    private static async Task ExactlyOneAsync(IDatabaseEngine engine, DbConnection connection, DbTransaction tx, string sql, List<(DbField Field, object? Value)> values,
        object? pkValue, string verb, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        for (var i = 0; i < values.Count; i++) AddParameter(engine, command, i, values[i].Value);
        AddParameter(engine, command, values.Count, pkValue);
        var affected = await command.ExecuteNonQueryAsync(ct);
        if (affected == 1) return;
        await tx.RollbackAsync(ct);
        throw ApiError.BadRequest(affected == 0
            ? $"Sorry, the row you're trying to {verb} doesn't exist"
            : $"Sorry, this would {verb} {affected.ToString(CultureInfo.InvariantCulture)} rows, but you can only act on 1");
    }

    /// <summary>Binds the value of <see cref="IDatabaseEngine.Placeholder"/>(<paramref name="index"/>), as the read path does; values are added in index order.</summary>
    private static void AddParameter(IDatabaseEngine engine, DbCommand command, int index, object? value) =>
        command.Parameters.Add(engine.ColumnParameter(command, engine.ParameterName(index), value));

    /// <summary>
    /// Constraint errors in the spec's words, with column names resolved to parameter ids where the engine names them,
    /// or names a unique key whose first column it can look up (MySQL/MariaDB, whatever the key is called).
    /// </summary>
    private static async Task<ApiError> TranslateAsync(IDatabaseEngine engine, DbConnection connection, DbTransaction tx, DbException error, string kind,
        ModelContext model, CancellationToken ct)
    {
        var violation = engine.TranslateConstraint(error);
        if (violation is null) return new RowError(engine.Describe(error));
        if (violation.Kind == ConstraintKind.InvalidValue) return new RowError(WrongType);
        var column = violation.Column;
        if (column is null && violation is { Kind: ConstraintKind.Unique, ConstraintName: { } key })
        {
            try
            {
                column = await engine.KeyColumnAsync(connection, tx, model.Table!.Name, key, ct);
            }
            catch (DbException)
            {
                // The message then names no field, as before the lookup.
            }
        }
        var field = column is null ? null : model.TableFields.FirstOrDefault(f => f.Name.Equals(column, StringComparison.OrdinalIgnoreCase));
        var id = field is null ? null : ImplicitParameters.Slug(field.Name);
        var display = field?.DisplayName ?? column ?? violation.ConstraintName ?? "Value";
        Dictionary<string, string> Errors(string text) => id is null ? [] : new() { [id] = text };
        return violation.Kind switch
        {
            ConstraintKind.NotNull => new RowError($"{display} must have values.", Errors("You must provide a value.")),
            ConstraintKind.Unique => new RowError($"{display} already exists.", Errors($"This {display} value already exists.")),
            ConstraintKind.ForeignKey when kind == "row/delete" => new RowError("Other rows refer to this row so it cannot be deleted."),
            ConstraintKind.ForeignKey => new RowError(kind == "row/create" ? "Unable to create a new record." : "Unable to update the record.",
                Errors($"This value does not exist in table \"{violation.Table}\".")),
            _ => new RowError($"Some of your values violate the constraint: {violation.ConstraintName}"),
        };
    }
}
