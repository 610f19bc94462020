using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;
using Actions.Data.Errors;
using Actions.Data.Hosting;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Data.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Actions.Data.Reading;

/// <summary>
/// The read path of data-api.md: <c>POST /api/dataset</c> (native SQL and the MBQL subset) and <c>POST /api/card/:id/query</c>.
/// Native SQL and table reads are for superusers; a card's rows for whoever may read its collection. Sensitive fields are
/// never read. A query that fails (in the database or before) is a 202 failed answer; permissions and unknown databases
/// or cards are the API's errors.
/// </summary>
public sealed class DatasetService(IDbContextFactory<AppDbContext> contexts, DatabaseConnections connections, CollectionService collections,
    IOptions<ActionsOptions> options, TimeProvider time)
{
    /// <summary>Metabase's row cap for these endpoints.</summary>
    public const int MaxRows = 2000;

    public const string AdHocContext = "ad-hoc";
    public const string QuestionContext = "question";

    private const string CardPrefix = "card__";

    private TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.Queries.TimeoutSeconds);

    /// <summary>Runs an ad-hoc query.</summary>
    public Task<DatasetAnswer> RunAsync(Caller caller, DatasetRequest request, CancellationToken ct) => RunAsync(caller, request, counting: false, ct);

    /// <summary>
    /// How many rows an MBQL query keeps (its filter only; order, page and limit do not matter), counted in the database:
    /// a completed answer of one row with one value. The model browser's row count and bulk confirmation.
    /// </summary>
    public Task<DatasetAnswer> CountAsync(Caller caller, DatasetRequest request, CancellationToken ct) =>
        request.IsNative ? throw new ArgumentException("Only MBQL queries are counted.", nameof(request)) : RunAsync(caller, request, counting: true, ct);

    private async Task<DatasetAnswer> RunAsync(Caller caller, DatasetRequest request, bool counting, CancellationToken ct)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var clock = Stopwatch.StartNew();
        var cardSource = request.Query?["source-table"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        // Native SQL and tables are for superusers; models for whoever may read them (checked once the card is known).
        if (cardSource is null || !cardSource.StartsWith(CardPrefix, StringComparison.Ordinal)) caller.RequireSuperuser();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Databases.AnyAsync(d => d.Id == request.DatabaseId, ct)) throw ApiError.NotFound();
        return await AnswerAsync(request, AdHocContext, started, clock, async (engine, innerCt) =>
        {
            if (request.IsNative) return NativeQuery.Plan(engine, request.NativeSql!, request.TemplateTags, request.Parameters);
            var source = await SourceAsync(db, caller, engine, request.DatabaseId, request.Query!["source-table"], innerCt);
            return counting ? MbqlQuery.Count(engine, source, request.Query!) : MbqlQuery.Compile(engine, source, request.Query!, capped: true);
        }, ct);
    }

    /// <summary>
    /// Runs a card's own query (a native card's template tags take <paramref name="parameters"/>' values); an unknown or
    /// archived card is a 404, one the caller may not read a 403.
    /// </summary>
    public async Task<DatasetAnswer> RunCardAsync(Caller caller, int cardId, JsonArray parameters, CancellationToken ct)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var clock = Stopwatch.StartNew();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cardId && !c.Archived, ct) ?? throw ApiError.NotFound();
        if (!await collections.CanReadAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        var stored = DatasetRequest.FromStored(card.DatasetQueryJson);
        var jsonQuery = stored?.JsonQuery ?? new JsonObject { ["database"] = card.DatabaseId };
        var request = new DatasetRequest(card.DatabaseId, null, [], null, [], jsonQuery);
        return await AnswerAsync(request, QuestionContext, started, clock, async (engine, innerCt) => stored is { IsNative: true }
            ? NativeQuery.Plan(engine, stored.NativeSql!, stored.TemplateTags, parameters)
            : MbqlQuery.Compile(engine, await CardSourceAsync(db, engine, card, stored, innerCt), [], capped: true), ct);
    }

    private async Task<DatasetAnswer> AnswerAsync(DatasetRequest request, string context, DateTime started, Stopwatch clock,
        Func<IDatabaseEngine, CancellationToken, Task<ReadPlan>> plan, CancellationToken ct)
    {
        try
        {
            var (engine, connectionString) = await ResolveAsync(request.DatabaseId, ct);
            var read = await plan(engine, ct);
            var rows = await ReadRunner.RunAsync(engine, connectionString, read, Timeout, ct);
            var data = new DatasetData(rows.Rows, rows.Columns, new NativeForm(read.Sql, ReadRunner.ParamsOf(read)),
                new ResultsMetadata(rows.Columns), "UTC", rows.Truncated ? MaxRows : null);
            return new DatasetAnswer(data, rows.Rows.Count, DatasetAnswer.Completed, request.DatabaseId, started, clock.ElapsedMilliseconds,
                request.JsonQuery, context);
        }
        catch (ReadFailure e)
        {
            return new DatasetAnswer(new DatasetData([], []), 0, DatasetAnswer.Failed, request.DatabaseId, started, clock.ElapsedMilliseconds,
                request.JsonQuery, context, e.Message, DatasetAnswer.InvalidQuery);
        }
    }

    /// <summary>The database's engine and connection string; details that no longer make one (a file gone) fail the read.</summary>
    private async Task<(IDatabaseEngine Engine, string ConnectionString)> ResolveAsync(int databaseId, CancellationToken ct)
    {
        try
        {
            return await connections.ResolveAsync(databaseId, ct);
        }
        catch (ExceptionError e)
        {
            throw new ReadFailure(e.Message);
        }
    }

    /// <summary>The <c>source-table</c> of an MBQL query: a table of the database (superusers) or <c>card__&lt;id&gt;</c>.</summary>
    private async Task<QuerySource> SourceAsync(AppDbContext db, Caller caller, IDatabaseEngine engine, int databaseId, JsonNode? sourceTable, CancellationToken ct)
    {
        if (RequestBody.AsPositiveInt(sourceTable) is { } tableId) return await TableSourceAsync(db, engine, databaseId, tableId, ct);
        var text = sourceTable is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (text is null || !text.StartsWith(CardPrefix, StringComparison.Ordinal) || !int.TryParse(text.AsSpan(CardPrefix.Length), System.Globalization.NumberStyles.None, null, out var cardId))
            throw new ReadFailure($"Invalid source-table: {sourceTable?.ToJsonString() ?? "null"}");
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cardId && !c.Archived, ct)
                   ?? throw new ReadFailure($"Card {cardId} does not exist.");
        if (!await collections.CanReadAsync(caller, card.CollectionId, ct)) throw ApiError.Forbidden();
        if (card.DatabaseId != databaseId) throw new ReadFailure($"Card {cardId} belongs to another database.");
        return await CardSourceAsync(db, engine, card, DatasetRequest.FromStored(card.DatasetQueryJson), ct);
    }

    /// <summary>A card as a source: its table; its MBQL with clauses or its native SQL as a subquery.</summary>
    private async Task<QuerySource> CardSourceAsync(AppDbContext db, IDatabaseEngine engine, Card card, DatasetRequest? stored, CancellationToken ct)
    {
        if (stored is null) throw new ReadFailure($"Card {card.Id} has no query that can run.");
        var alias = " AS " + engine.Quote("source");
        if (stored.IsNative)
        {
            var native = NativeQuery.Plan(engine, stored.NativeSql!, stored.TemplateTags, []);
            // A line comment at the end of the SQL must not swallow the closing parenthesis.
            return new QuerySource("(" + native.Sql + "\n)" + alias, native.Parameters, null);
        }
        var table = await TableSourceAsync(db, engine, card.DatabaseId, card.TableId ?? 0, ct);
        if (!card.HasClauses) return table;
        var inner = MbqlQuery.Compile(engine, table, stored.Query!, capped: false);
        var byName = table.Columns!.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var columns = inner.Columns!.Select(c => new SourceColumn(c.Name, c, byName.TryGetValue(c.Name, out var s) && s.IsPrimaryKey)).ToList();
        return new QuerySource("(" + inner.Sql + ")" + alias, inner.Parameters, columns,
            inner.Order?.Where(o => columns.Any(c => c.Name == o.Column)).ToList());
    }

    /// <summary>An active table of the database with its active fields, sensitive ones left out.</summary>
    private static async Task<QuerySource> TableSourceAsync(AppDbContext db, IDatabaseEngine engine, int databaseId, int tableId, CancellationToken ct)
    {
        var table = await db.Set<DbTable>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == tableId && t.DatabaseId == databaseId && t.Active, ct)
                    ?? throw new ReadFailure($"Table {tableId} does not exist in database {databaseId}.");
        var fields = await db.Set<DbField>().AsNoTracking()
            .Where(f => f.TableId == tableId && f.Active && f.VisibilityType != Visibility.Sensitive)
            .OrderBy(f => f.Position).ThenBy(f => f.Id).ToListAsync(ct);
        var from = engine.QuoteTable(table.Schema, table.Name);
        return new QuerySource(from, [], fields.Select(f => new SourceColumn(f.Name, Columns.Field(f, table.Id), f.IsPrimaryKey)).ToList());
    }
}
