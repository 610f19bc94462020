using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Errors;
using Actions.Data.Models;
using Actions.Data.Platform;

namespace Actions.Data.Reading;

/// <summary>A column of the model browser: a result column of the model (sensitive fields never are one).</summary>
public sealed record ModelColumn(string Name, string DisplayName, string BaseType, bool IsPrimaryKey, JsonArray FieldRef)
{
    /// <summary>Text columns are searched and filtered by "contains"; the others by their value.</summary>
    public bool IsText => BaseType == BaseTypes.Text;
}

/// <summary>
/// An action of the model that acts on one row: it runs with <see cref="KeyParameter"/> set to the row's key;
/// <see cref="LoadsRow"/>: an update form, filled with the row's current values.
/// </summary>
public sealed record RowAction(int ActionId, string Name, string Kind, string KeyParameter, bool LoadsRow);

/// <summary>
/// A model as the browser shows it: its columns, its one-row actions (when the database allows actions) and the action
/// that creates a row. <see cref="Key"/>: the primary key column that row actions and bulk runs name rows by (null when the
/// model has none, or more than one).
/// </summary>
public sealed record ModelBrowse(int ModelId, string Name, string? Description, int DatabaseId, IReadOnlyList<ModelColumn> Columns,
    bool ActionsEnabled, IReadOnlyList<RowAction> RowActions, int? CreateActionId)
{
    public ModelColumn? Key => Columns.Count(c => c.IsPrimaryKey) == 1 ? Columns.Single(c => c.IsPrimaryKey) : null;

    public int? KeyIndex => Key is { } key ? Columns.ToList().IndexOf(key) : null;
}

/// <summary>Which rows to show: a page (from 1) of a size, a sort, value filters by column name, and a search over the text columns.</summary>
public sealed record RowQuery(int Page = 1, int PageSize = 25, string? SortColumn = null, bool Descending = false,
    IReadOnlyDictionary<string, string>? Filters = null, string? Search = null)
{
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100];
}

/// <summary>A page of rows (values as JSON by base type, in column order) and how many rows the filter keeps.</summary>
public sealed record ModelRows(IReadOnlyList<JsonArray> Rows, long Total);

/// <summary>
/// The model browser's reads (data-api.md § The model browser): a model's rows paged, sorted, filtered, searched and counted
/// in the database through the MBQL read path (<see cref="DatasetService"/>: read permission, sensitive fields left out),
/// and the keys of every row a filter keeps, for bulk runs. A filter value a column cannot hold is a
/// <see cref="RowError"/> naming the column; a read the database refuses is a 400 with its message.
/// </summary>
public sealed class ModelBrowserService(CardService cards, DatasetService datasets, ActionService actions, DatabaseService databases)
{
    /// <summary>How many keys a bulk run reads at a time.</summary>
    public const int KeyBatch = 500;

    /// <summary>The model, its columns and its row actions; 404 for what is not a model, 403 without read permission.</summary>
    public async Task<ModelBrowse> OpenAsync(Caller caller, int modelId, CancellationToken ct)
    {
        var card = await cards.GetAsync(caller, modelId, ct);
        if (card.Type != Card.ModelType || card.Archived) throw ApiError.NotFound();
        var probe = await ReadAsync(caller, card.DatabaseId, new JsonObject { ["source-table"] = Source(modelId), ["limit"] = 1 }, count: false, ct);
        var columns = probe.Data.Cols.Select(c => new ModelColumn(c.Name, c.DisplayName, c.BaseType, c.SemanticType == "type/PK", c.FieldRef)).ToList();
        var enabled = await databases.ActionsEnabledAsync(card.DatabaseId, ct);
        var list = await actions.ListAsync(caller, modelId, ct);
        var key = columns.Count(c => c.IsPrimaryKey) == 1 ? columns.Single(c => c.IsPrimaryKey) : null;
        var rowActions = new List<RowAction>();
        int? create = null;
        foreach (var action in list.Where(a => !a.Archived))
        {
            var kind = (action as ImplicitActionDetails)?.Kind;
            if (kind == "row/create") create ??= action.Id;
            if (key is not null && KeyParameter(action, key, card.Name) is { } parameter)
                rowActions.Add(new RowAction(action.Id, action.Name, kind ?? action.Type, parameter, kind == "row/update"));
        }
        return new ModelBrowse(card.Id, card.Name, card.Description, card.DatabaseId, columns, enabled, rowActions, create);
    }

    /// <summary>
    /// The parameter an action takes the row's key in, or null when it does not act on one row: implicit update and delete
    /// (their key parameter), and query actions with a parameter named as the key column — or, for a key named <c>id</c>,
    /// <c>&lt;model name, singular&gt;_id</c> (<c>order_id</c> on a model "Orders").
    /// </summary>
    private static string? KeyParameter(ActionDetails action, ModelColumn key, string modelName)
    {
        var slug = ImplicitParameters.Slug(key.Name);
        var ids = (action.Parameters as JsonArray ?? []).Select(ActionShapes.ParameterId).OfType<string>().ToList();
        switch (action)
        {
            case ImplicitActionDetails { Kind: "row/update" or "row/delete" }:
                return ids.FirstOrDefault(id => id == slug);
            case QueryActionDetails:
                var singular = ImplicitParameters.Slug(modelName).TrimEnd('s');
                return ids.FirstOrDefault(id => string.Equals(id, slug, StringComparison.OrdinalIgnoreCase))
                       ?? (slug == "id" ? ids.FirstOrDefault(id => string.Equals(id, singular + "_id", StringComparison.OrdinalIgnoreCase)) : null);
            default:
                return null;
        }
    }

    /// <summary>A page of the rows the query keeps, and how many it keeps.</summary>
    public async Task<ModelRows> PageAsync(Caller caller, ModelBrowse model, RowQuery query, CancellationToken ct)
    {
        var mbql = new JsonObject { ["source-table"] = Source(model.ModelId) };
        if (Filter(model, query) is { } filter) mbql["filter"] = filter;
        if (query.SortColumn is { } sort && model.Columns.FirstOrDefault(c => c.Name == sort) is { } sorted)
            mbql["order-by"] = new JsonArray(new JsonArray(query.Descending ? "desc" : "asc", sorted.FieldRef.DeepClone()));
        var size = RowQuery.PageSizes.Contains(query.PageSize) ? query.PageSize : RowQuery.PageSizes[0];
        mbql["page"] = new JsonObject { ["page"] = Math.Max(1, query.Page), ["items"] = size };
        var rows = ReadAsync(caller, model.DatabaseId, mbql, count: false, ct);
        var count = ReadAsync(caller, model.DatabaseId, (JsonObject)mbql.DeepClone(), count: true, ct);
        return new ModelRows((await rows).Data.Rows, Total(await count));
    }

    /// <summary>How many rows the query's filters and search keep.</summary>
    public async Task<long> CountAsync(Caller caller, ModelBrowse model, RowQuery query, CancellationToken ct)
    {
        var mbql = new JsonObject { ["source-table"] = Source(model.ModelId) };
        if (Filter(model, query) is { } filter) mbql["filter"] = filter;
        return Total(await ReadAsync(caller, model.DatabaseId, mbql, count: true, ct));
    }

    /// <summary>
    /// The keys of the rows the query's filters and search keep, in key order, at most <paramref name="max"/>: read
    /// <see cref="KeyBatch"/> at a time after the last key seen, so rows changed or deleted on the way do not shift the rest.
    /// </summary>
    public async IAsyncEnumerable<JsonNode> KeysAsync(Caller caller, ModelBrowse model, RowQuery query, long max, [EnumeratorCancellation] CancellationToken ct)
    {
        var key = model.Key ?? throw ApiError.BadRequest("This model has no primary key to name its rows by.");
        var filter = Filter(model, query);
        JsonNode? last = null;
        long given = 0;
        while (given < max)
        {
            var clauses = new List<JsonNode>();
            if (filter is not null) clauses.Add(filter.DeepClone());
            if (last is not null) clauses.Add(new JsonArray(">", key.FieldRef.DeepClone(), last.DeepClone()));
            var mbql = new JsonObject
            {
                ["source-table"] = Source(model.ModelId),
                ["fields"] = new JsonArray(key.FieldRef.DeepClone()),
                ["order-by"] = new JsonArray(new JsonArray("asc", key.FieldRef.DeepClone())),
                ["limit"] = (int)Math.Min(KeyBatch, max - given),
            };
            if (clauses.Count > 0) mbql["filter"] = clauses.Count == 1 ? clauses[0] : new JsonArray(["and", .. clauses]);
            var batch = (await ReadAsync(caller, model.DatabaseId, mbql, count: false, ct)).Data.Rows;
            foreach (var row in batch)
            {
                last = row[0];
                given++;
                yield return row[0]!.DeepClone();
            }
            if (batch.Count < KeyBatch) yield break;
        }
    }

    private async Task<DatasetAnswer> ReadAsync(Caller caller, int databaseId, JsonObject mbql, bool count, CancellationToken ct)
    {
        // Read back from its text, as a request body is: the read path takes numbers as JSON text gives them.
        var query = (JsonObject)JsonNode.Parse(mbql.ToJsonString())!;
        var body = new JsonObject { ["database"] = databaseId, ["type"] = "query", ["query"] = query.DeepClone() };
        var request = new DatasetRequest(databaseId, null, [], query, [], body);
        var answer = count ? await datasets.CountAsync(caller, request, ct) : await datasets.RunAsync(caller, request, ct);
        return answer.Status == DatasetAnswer.Completed ? answer : throw ApiError.BadRequest(answer.Error ?? "The rows could not be read.");
    }

    private static long Total(DatasetAnswer count) => count.Data.Rows[0][0]!.GetValue<long>();

    private static string Source(int modelId) => $"card__{modelId}";

    /// <summary>
    /// The query's filters as one MBQL clause (null when there are none): text columns keep values containing the text (any
    /// case), other columns the value itself (a date keeps its whole day on a date-time column); the search keeps rows
    /// where any text column contains it.
    /// </summary>
    private static JsonArray? Filter(ModelBrowse model, RowQuery query)
    {
        var clauses = new List<JsonNode>();
        var errors = new Dictionary<string, string>();
        foreach (var (name, raw) in query.Filters ?? new Dictionary<string, string>())
        {
            var value = raw.Trim();
            if (value.Length == 0 || model.Columns.FirstOrDefault(c => c.Name == name) is not { } column) continue;
            if (ValueFilter(column, value) is { } clause) clauses.Add(clause);
            else errors[name] = $"{column.DisplayName}: {Expected(column.BaseType)}";
        }
        if (errors.Count > 0) throw new RowError("Some filters cannot be applied: " + string.Join("; ", errors.Values), errors);
        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            var texts = model.Columns.Where(c => c.IsText).Select(c => (JsonNode)Contains(c, search)).ToList();
            if (texts.Count > 0) clauses.Add(texts.Count == 1 ? texts[0] : new JsonArray(["or", .. texts]));
        }
        return clauses.Count switch
        {
            0 => null,
            1 => (JsonArray)clauses[0],
            _ => new JsonArray(["and", .. clauses]),
        };
    }

    private static JsonArray Contains(ModelColumn column, string text) =>
        new("contains", column.FieldRef.DeepClone(), text, new JsonObject { ["case-sensitive"] = false });

    private static JsonArray? ValueFilter(ModelColumn column, string value)
    {
        var field = column.FieldRef.DeepClone();
        switch (column.BaseType)
        {
            case BaseTypes.Text:
                return Contains(column, value);
            case BaseTypes.Integer or BaseTypes.BigInteger:
                return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? new JsonArray("=", field, whole) : null;
            case BaseTypes.Float or BaseTypes.Decimal:
                return decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? new JsonArray("=", field, number) : null;
            case BaseTypes.Boolean:
                return value.ToLowerInvariant() switch
                {
                    "true" or "yes" or "1" => new JsonArray("=", field, true),
                    "false" or "no" or "0" => new JsonArray("=", field, false),
                    _ => null,
                };
            case BaseTypes.Date:
                return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? new JsonArray("=", field, value) : null;
            case BaseTypes.DateTime or BaseTypes.DateTimeWithTZ:
                if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    return new JsonArray("between", field, $"{day:yyyy-MM-dd}T00:00:00", $"{day:yyyy-MM-dd}T23:59:59.999");
                return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? new JsonArray("=", field, value) : null;
            default:
                return new JsonArray("=", field, value);
        }
    }

    private static string Expected(string baseType) => baseType switch
    {
        _ when BaseTypes.IsNumeric(baseType) => "enter a number.",
        BaseTypes.Boolean => "enter yes or no.",
        BaseTypes.Date => "enter a date as 2024-01-31.",
        _ => "enter a date as 2024-01-31, or a date and time.",
    };
}
