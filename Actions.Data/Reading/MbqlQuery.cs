using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Databases.Engines;

namespace Actions.Data.Reading;

/// <summary>
/// What an MBQL query reads from: a table (its fields, sensitive ones left out) or a card's query as a subquery.
/// <see cref="Columns"/> is null for a native card, whose columns are known only once it runs.
/// <see cref="Order"/>: the card's own sort, which a query over it keeps unless it sorts itself (a subquery's ORDER BY is not
/// kept by every engine: MariaDB drops it).
/// </summary>
internal sealed record QuerySource(string From, IReadOnlyList<ReadParameter> Parameters, IReadOnlyList<SourceColumn>? Columns, IReadOnlyList<OrderTerm>? Order = null);

/// <summary>A column a query may name: by field id (when it is a field) or by name.</summary>
internal sealed record SourceColumn(string Name, DatasetColumn Description, bool IsPrimaryKey)
{
    public int? FieldId => Description.Id;
    public string BaseType => Description.BaseType;
}

/// <summary>
/// The MBQL subset of data-api.md compiled into one SELECT: <c>fields</c>, <c>filter</c>, <c>order-by</c>, <c>limit</c> and
/// <c>page</c> all happen in the database, values always bound. Anything else fails naming what it is.
/// </summary>
internal sealed class MbqlQuery
{
    public const int MaxRows = DatasetService.MaxRows;

    private static readonly HashSet<string> Keys = ["source-table", "fields", "filter", "order-by", "limit", "page"];

    private readonly IDatabaseEngine _engine;
    private readonly QuerySource _source;
    private readonly List<ReadParameter> _parameters;

    private MbqlQuery(IDatabaseEngine engine, QuerySource source)
    {
        _engine = engine;
        _source = source;
        _parameters = [.. source.Parameters];
    }

    /// <summary>
    /// Compiles the query over its source. <paramref name="capped"/>: the outermost query, which returns at most
    /// <see cref="MaxRows"/> rows.
    /// </summary>
    public static ReadPlan Compile(IDatabaseEngine engine, QuerySource source, JsonObject query, bool capped) =>
        new MbqlQuery(engine, source).Build(query, capped);

    /// <summary>The number of rows the query's filter keeps, as one row of one column; its other clauses do not matter.</summary>
    public static ReadPlan Count(IDatabaseEngine engine, QuerySource source, JsonObject query)
    {
        var filtered = new JsonObject();
        if (query["filter"] is { } filter) filtered["filter"] = filter.DeepClone();
        var rows = Compile(engine, source, filtered, capped: false);
        return new ReadPlan($"SELECT COUNT(*) FROM ({rows.Sql}) AS {engine.Quote("counted")}", rows.Parameters,
            [Reading.Columns.Native("count", BaseTypes.BigInteger)], Capped: false, LimitedInSql: true);
    }

    private ReadPlan Build(JsonObject query, bool capped)
    {
        foreach (var key in query.Select(p => p.Key))
            if (!Keys.Contains(key)) throw new ReadFailure($"Unsupported MBQL clause: {key}");

        var selected = query["fields"] is { } fields ? Fields(fields) : _source.Columns;
        var sql = new StringBuilder("SELECT ");
        sql.Append(selected is null ? "*" : string.Join(", ", selected.Select(c => _engine.Quote(c.Name))));
        sql.Append(" FROM ").Append(_source.From);
        if (query["filter"] is { } filter) sql.Append(" WHERE ").Append(Filter(filter));

        var (limit, offset, paged) = Paging(query);
        var order = query["order-by"] is { } orderBy ? OrderBy(orderBy) : _source.Order?.ToList() ?? [];
        // Pages need a stable order: without one, by the key (when the source has one).
        if (order.Count == 0 && paged) order = _source.Columns?.Where(c => c.IsPrimaryKey).Select(c => new OrderTerm(c.Name, false)).ToList() ?? [];
        if (order.Count > 0) sql.Append(" ORDER BY ").Append(string.Join(", ", order.Select(o => _engine.Quote(o.Column) + (o.Descending ? " DESC" : " ASC"))));

        var cap = capped && (limit is null || limit > MaxRows);
        var sqlLimit = cap ? MaxRows : limit;
        if (sqlLimit is not null || offset > 0) sql.Append(' ').Append(_engine.Paging(sqlLimit ?? long.MaxValue, offset));
        return new ReadPlan(sql.ToString(), _parameters, selected?.Select(c => c.Description).ToList(), cap, LimitedInSql: true, order);
    }

    private (long? Limit, long Offset, bool Paged) Paging(JsonObject query)
    {
        long? limit = query["limit"] is { } l ? Count(l, "limit") : null;
        if (query["page"] is not { } page) return (limit, 0, false);
        if (page is not JsonObject p) throw new ReadFailure("Invalid page clause: expected {\"page\": n, \"items\": n}");
        var number = Count(p["page"], "page");
        var items = Count(p["items"], "items");
        return (limit is null ? items : Math.Min(limit.Value, items), checked((number - 1) * items), true);
    }

    private static long Count(JsonNode? node, string clause) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 1
            ? n
            : throw new ReadFailure($"Invalid {clause}: expected an integer of at least 1, got {node?.ToJsonString() ?? "null"}");

    private List<SourceColumn> Fields(JsonNode fields)
    {
        if (fields is not JsonArray { Count: > 0 } list) throw new ReadFailure("Invalid fields clause: expected a list of field references");
        return list.Select(Column).ToList();
    }

    private List<OrderTerm> OrderBy(JsonNode orderBy)
    {
        if (orderBy is not JsonArray list) throw new ReadFailure("Invalid order-by clause: expected a list of [\"asc\"|\"desc\", field]");
        return list.Select(item =>
        {
            if (item is not JsonArray { Count: 2 } pair || Text(pair[0]) is not ("asc" or "desc") || pair[1] is null)
                throw new ReadFailure($"Invalid order-by clause: {item?.ToJsonString() ?? "null"}");
            return new OrderTerm(Column(pair[1]).Name, Text(pair[0]) == "desc");
        }).ToList();
    }

    /// <summary>A <c>["field", id, options]</c> or <c>["field", "name", {"base-type"}]</c> reference to a column of the source.</summary>
    private SourceColumn Column(JsonNode? reference)
    {
        if (reference is not JsonArray { Count: 2 or 3 } r || Text(r[0]) != "field" || r[1] is not JsonValue target)
            throw new ReadFailure($"Invalid field reference: {reference?.ToJsonString() ?? "null"}");
        if (target.GetValueKind() == JsonValueKind.Number)
        {
            var id = target.TryGetValue<long>(out var n) ? n : 0;
            return _source.Columns?.FirstOrDefault(c => c.FieldId == id) ?? throw new ReadFailure($"Unknown field: {target.ToJsonString()}");
        }
        if (target.GetValueKind() != JsonValueKind.String) throw new ReadFailure($"Invalid field reference: {reference.ToJsonString()}");
        var name = target.GetValue<string>();
        if (_source.Columns is not null)
            return _source.Columns.FirstOrDefault(c => c.Name == name) ?? throw new ReadFailure($"Unknown column: {name}");
        var baseType = Text(r.Count == 3 ? r[2]?["base-type"] : null) ?? BaseTypes.Unknown;
        return new SourceColumn(name, Reading.Columns.Native(name, baseType), false);
    }

    private string Filter(JsonNode? clause)
    {
        if (clause is not JsonArray { Count: >= 1 } c || Text(c[0]) is not { } op) throw new ReadFailure($"Invalid filter clause: {clause?.ToJsonString() ?? "null"}");
        var args = c.Skip(1).ToList();
        switch (op)
        {
            case "and" or "or":
                if (args.Count == 0) throw Arity(op);
                return "(" + string.Join(op == "and" ? " AND " : " OR ", args.Select(Filter)) + ")";
            case "not":
                if (args.Count != 1) throw Arity(op);
                return "(NOT " + Filter(args[0]) + ")";
            case "is-null" or "not-null":
                if (args.Count != 1) throw Arity(op);
                return Quoted(Column(args[0])) + (op == "is-null" ? " IS NULL" : " IS NOT NULL");
            case "=" or "!=":
                return Equality(op, args);
            case "<" or ">" or "<=" or ">=":
                if (args.Count != 2 || args[1] is null) throw Arity(op);
                var compared = Column(args[0]);
                return $"{Quoted(compared)} {op} {Bind(compared, args[1]!)}";
            case "between":
                if (args.Count != 3 || args[1] is null || args[2] is null) throw Arity(op);
                var between = Column(args[0]);
                return $"{Quoted(between)} BETWEEN {Bind(between, args[1]!)} AND {Bind(between, args[2]!)}";
            case "contains" or "starts-with" or "ends-with":
                return TextMatch(op, args);
            default:
                throw new ReadFailure($"Unsupported filter clause: {op}");
        }
    }

    /// <summary><c>=</c> and <c>!=</c> with one or more values (<c>IN</c>); null is <c>IS NULL</c>; <c>!=</c> keeps rows whose value is null, as Metabase does.</summary>
    private string Equality(string op, List<JsonNode?> args)
    {
        if (args.Count < 2) throw Arity(op);
        var column = Column(args[0]);
        var quoted = Quoted(column);
        var values = args.Skip(1).Where(v => v is not null).Select(v => Bind(column, v!)).ToList();
        var hasNull = args.Skip(1).Any(v => v is null);
        var equal = values.Count switch
        {
            0 => null,
            1 => $"{quoted} {(op == "=" ? "=" : "<>")} {values[0]}",
            _ => $"{quoted} {(op == "=" ? "IN" : "NOT IN")} ({string.Join(", ", values)})",
        };
        if (op == "=") return hasNull ? equal is null ? $"{quoted} IS NULL" : $"({equal} OR {quoted} IS NULL)" : equal!;
        return hasNull ? equal is null ? $"{quoted} IS NOT NULL" : $"({equal} AND {quoted} IS NOT NULL)" : $"({equal} OR {quoted} IS NULL)";
    }

    private string TextMatch(string op, List<JsonNode?> args)
    {
        if (args.Count is not (2 or 3) || args[1] is not JsonValue v || v.GetValueKind() != JsonValueKind.String) throw Arity(op);
        var caseSensitive = !(args.Count == 3 && args[2] is JsonObject options && options["case-sensitive"] is JsonValue cs && cs.GetValueKind() == JsonValueKind.False);
        var kind = op switch { "contains" => TextMatchKind.Contains, "starts-with" => TextMatchKind.StartsWith, _ => TextMatchKind.EndsWith };
        var placeholder = _engine.Placeholder(_parameters.Count);
        var (sql, pattern) = _engine.TextMatch(Quoted(Column(args[0])), placeholder, kind, v.GetValue<string>(), caseSensitive);
        _parameters.Add(new ReadParameter(pattern, false));
        return sql;
    }

    private string Quoted(SourceColumn column) => _engine.Quote(column.Name);

    /// <summary>Binds a value converted for the column's base type; a value that does not convert fails the query.</summary>
    private string Bind(SourceColumn column, JsonNode value)
    {
        object? parameter;
        if (column.BaseType == BaseTypes.Unknown) parameter = Untyped(value);
        else if (!_engine.TryToParameter(value, column.BaseType, out parameter))
            throw new ReadFailure($"Invalid value for {column.Name} ({column.BaseType}): {value.ToJsonString()}");
        _parameters.Add(new ReadParameter(parameter, true));
        return _engine.Placeholder(_parameters.Count - 1);
    }

    /// <summary>A value for a column of unknown type (a native card's, named without a base type): as JSON has it.</summary>
    private static object? Untyped(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.AsValue().TryGetValue<long>(out var l) => l,
        JsonValueKind.Number => decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new ReadFailure($"Invalid value: {value.ToJsonString()}"),
    };

    private static ReadFailure Arity(string op) => new($"Invalid arguments to the {op} filter clause");

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
