using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Jq;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// A validated action body (POST or PUT). <c>Has(key)</c> tells whether a key was sent at all; for PUT a key sent
/// as null leaves name, type, model_id and archived unchanged and clears any other key.
/// </summary>
public sealed class ActionInput
{
    public const string TypeText = "Unsupported action type";
    public const string KindText = "Unsupported implicit action kind";
    public const string HandleText = "nullable must be a valid json-query, something like '.item.title'";
    public const string MethodText = "enum of GET, POST, PUT, DELETE, PATCH";
    public const string UrlText = "string with length >= 1";
    public const string ParametersText = "nullable sequence of parameter must be a map with :id and :type keys";
    public const string TemplateParametersText = "nullable sequence of parameter must be a map with an :id key";
    public const string FieldsText = "nullable map of parameter id to a map of its form settings";
    public const string TemplateTagsText = "nullable map of tag name to a map of its settings";
    public static readonly string[] Types = [ActionDefinition.QueryType, ActionDefinition.ImplicitType, ActionDefinition.HttpType];
    public static readonly string[] RunnableKinds = ["row/create", "row/update", "row/delete"];
    public static readonly string[] Kinds = [.. RunnableKinds, "bulk/create", "bulk/update", "bulk/delete"];
    public static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];
    private static readonly string[] TemplateKeys = ["method", "url", "body", "headers", "parameters", "parameter_mappings"];

    private readonly RequestBody _body;

    private ActionInput(RequestBody body) => _body = body;

    public string? Name { get; private set; }
    public string? Description { get; private set; }
    public string? Type { get; private set; }
    public int? ModelId { get; private set; }
    public int? DatabaseId { get; private set; }
    public JsonObject? DatasetQuery { get; private set; }
    public string? Kind { get; private set; }
    public JsonObject? Template { get; private set; }
    public string? ResponseHandle { get; private set; }
    public string? ErrorHandle { get; private set; }
    public JsonArray? Parameters { get; private set; }
    public JsonObject? ParameterMappings { get; private set; }
    public JsonObject? VisualizationSettings { get; private set; }
    public bool? Archived { get; private set; }

    /// <summary>The key was present in the body (possibly as null).</summary>
    public bool Has(string key) => _body.Has(key);

    /// <summary>The key was present with a non-null value.</summary>
    public bool HasValue(string key) => _body.HasValue(key);

    /// <summary>Step 1 of POST and PUT: every key's own rules, all failures in one validation body.</summary>
    public static ActionInput Validate(RequestBody body, bool creating)
    {
        var input = new ActionInput(body);
        var errors = body.Errors;
        input.Name = body.String("name", required: creating, maxLength: 254);
        input.Description = NullableString(body, "description");
        input.Type = Enum(body, "type", Types, TypeText, required: creating);
        input.ModelId = body.PositiveInt("model_id", required: creating);
        input.DatabaseId = body.PositiveInt("database_id");
        input.DatasetQuery = NullableMap(body, "dataset_query");
        if (ActionShapes.At(input.DatasetQuery, "native", "template-tags") is { } tags && !IsMapOfMaps(tags))
            errors.Add(["dataset_query", "native", "template-tags"], TemplateTagsText, tags.DeepClone());
        input.Kind = Enum(body, "kind", Kinds, KindText, required: false);
        input.Template = ValidateTemplate(body, errors);
        input.ResponseHandle = Handle(body, "response_handle");
        input.ErrorHandle = Handle(body, "error_handle");
        input.Parameters = ValidateParameters(body, errors);
        input.ParameterMappings = NullableMap(body, "parameter_mappings");
        input.VisualizationSettings = NullableMap(body, "visualization_settings");
        if (input.VisualizationSettings?["fields"] is { } fields && !IsMapOfMaps(fields))
            errors.Add(["visualization_settings", "fields"], FieldsText, fields.DeepClone());
        if (body.Raw("archived") is { } archived)
        {
            if (archived.GetValueKind() is JsonValueKind.True or JsonValueKind.False) input.Archived = archived.GetValue<bool>();
            else errors.Add(["archived"], "nullable boolean", archived.DeepClone());
        }
        body.ThrowIfInvalid();
        return input;
    }

    /// <summary>Stored settings keyed by id (form fields, template tags): a map whose entries are maps (or null).</summary>
    private static bool IsMapOfMaps(JsonNode node) => node is JsonObject map && map.All(entry => entry.Value is null or JsonObject);

    /// <summary>Validation 400 for a key the chosen type needs (missing template, kind, …).</summary>
    public static ValidationError Missing(string key, string expected) => ValidationError.For(key, expected, null, missing: true);

    private static string? NullableString(RequestBody body, string key)
    {
        var node = body.Raw(key);
        if (node is null) return null;
        if (node.GetValueKind() == JsonValueKind.String) return node.GetValue<string>();
        body.Errors.Add([key], "nullable string", node.DeepClone());
        return null;
    }

    private static JsonObject? NullableMap(RequestBody body, string key)
    {
        var node = body.Raw(key);
        if (node is null) return null;
        if (node is JsonObject obj) return (JsonObject)obj.DeepClone();
        body.Errors.Add([key], "nullable map", node.DeepClone());
        return null;
    }

    private static string? Enum(RequestBody body, string key, string[] allowed, string text, bool required)
    {
        var node = body.Raw(key);
        if (node is null)
        {
            if (required) body.Errors.Add([key], text, null, missing: true);
            return null;
        }
        if (node.GetValueKind() == JsonValueKind.String && allowed.Contains(node.GetValue<string>())) return node.GetValue<string>();
        body.Errors.Add([key], text, node.DeepClone());
        return null;
    }

    private static string? Handle(RequestBody body, string key)
    {
        var node = body.Raw(key);
        if (node is null) return null;
        if (node.GetValueKind() == JsonValueKind.String && JqProgram.Check(node.GetValue<string>()) is null) return node.GetValue<string>();
        body.Errors.Add([key], HandleText, node.DeepClone());
        return null;
    }

    private static JsonArray? ValidateParameters(RequestBody body, ValidationErrors errors)
    {
        var node = body.Raw("parameters");
        if (node is null) return null;
        if (node is JsonArray array && array.All(p => p is JsonObject o
                && o["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
                && o["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String))
            return (JsonArray)array.DeepClone();
        errors.Add(["parameters"], ParametersText, node.DeepClone());
        return null;
    }

    /// <summary>The closed <c>template</c> map of HTTP actions.</summary>
    private static JsonObject? ValidateTemplate(RequestBody body, ValidationErrors errors)
    {
        var node = body.Raw("template");
        if (node is null) return null;
        if (node is not JsonObject template)
        {
            errors.Add(["template"], "map", node.DeepClone());
            return null;
        }
        var before = errors.ToJson().ToJsonString();
        var method = template["method"];
        if (method is null) errors.Add(["template", "method"], MethodText, null, missing: true);
        else if (!(method.GetValueKind() == JsonValueKind.String && Methods.Contains(method.GetValue<string>())))
            errors.Add(["template", "method"], MethodText, method.DeepClone());
        var url = template["url"];
        if (url is null) errors.Add(["template", "url"], UrlText, null, missing: true);
        else if (!(url.GetValueKind() == JsonValueKind.String && url.GetValue<string>().Length >= 1))
            errors.Add(["template", "url"], UrlText, url.DeepClone());
        foreach (var key in new[] { "body", "headers" })
            if (template[key] is { } v && v.GetValueKind() != JsonValueKind.String)
                errors.Add(["template", key], "nullable string", v.DeepClone());
        if (template["parameters"] is { } ps && !(ps is JsonArray items && items.All(p => ActionShapes.ParameterId(p) is not null
                && (p!["type"] is null || p["type"]!.GetValueKind() == JsonValueKind.String))))
            errors.Add(["template", "parameters"], TemplateParametersText, ps.DeepClone());
        if (template["parameter_mappings"] is { } pm && pm is not JsonObject) errors.Add(["template", "parameter_mappings"], "nullable map", pm.DeepClone());
        foreach (var (key, value) in template)
            if (!TemplateKeys.Contains(key)) errors.Add(["template", key], "disallowed key", value?.DeepClone());
        return errors.ToJson().ToJsonString() == before ? (JsonObject)template.DeepClone() : null;
    }
}
