using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// One input of an action's form: the parameter and its form settings (<c>visualization_settings.fields[id]</c>), as
/// the editor's form builder edits them.
/// </summary>
public sealed record DraftField(string Id, string Label, string InputType, string ParameterType, string? Placeholder = null,
    string? Description = null, bool Required = false, bool Hidden = false, string? DefaultValue = null, IReadOnlyList<string>? Options = null)
{
    public IReadOnlyList<string> Options { get; init; } = Options ?? [];

    /// <summary>The input a parameter type gets when the form says nothing.</summary>
    public static string DefaultInput(string parameterType) => parameterType switch
    {
        _ when parameterType.StartsWith("number", StringComparison.Ordinal) => "number",
        _ when parameterType.StartsWith("date", StringComparison.Ordinal) => "date",
        "boolean" => "boolean",
        _ => "string",
    };

    /// <summary>The template tag type an input binds as.</summary>
    public string TagType => InputType switch
    {
        "number" => "number",
        "date" or "datetime" => "date",
        "boolean" => "boolean",
        _ => "text",
    };
}

/// <summary>
/// An action as the editor edits it, saved or not: what Save stores and what a test run runs. The request body of the
/// API (<see cref="ToRequestBody"/>) and the read shape (<see cref="Of"/>) are its only JSON.
/// </summary>
public sealed record ActionDraft
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public int? ModelId { get; init; }
    public string Type { get; init; } = ActionDefinition.QueryType;
    public string Sql { get; init; } = "";
    public string Kind { get; init; } = "row/create";
    public string Method { get; init; } = "POST";
    public string Url { get; init; } = "";
    public string? Headers { get; init; }
    public string? Body { get; init; }
    public string? ResponseHandle { get; init; }
    public string? ErrorHandle { get; init; }
    public string? SubmitLabel { get; init; }
    public string? ConfirmMessage { get; init; }
    public string? SuccessMessage { get; init; }
    /// <summary>The form's inputs in form order.</summary>
    public IReadOnlyList<DraftField> Fields { get; init; } = [];
    /// <summary>Form settings the editor does not edit (button colour, error message, …), kept as they were saved.</summary>
    public JsonObject? OtherSettings { get; init; }

    /// <summary>A new action, on the model given (or none chosen yet).</summary>
    public static ActionDraft Blank(int? modelId) => new() { ModelId = modelId };

    /// <summary>The draft of a saved action, from its read shape.</summary>
    public static ActionDraft Of(ActionDetails action)
    {
        var settings = action.VisualizationSettings as JsonObject;
        var template = (action as HttpActionDetails)?.Template as JsonObject;
        return new ActionDraft
        {
            Name = action.Name,
            Description = action.Description,
            ModelId = action.ModelId,
            Type = action.Type,
            Kind = (action as ImplicitActionDetails)?.Kind ?? "row/create",
            Sql = Text(ActionShapes.At((action as QueryActionDetails)?.DatasetQuery, "native", "query")) ?? "",
            Method = Text(template?["method"]) ?? "POST",
            Url = Text(template?["url"]) ?? "",
            Headers = Text(template?["headers"]),
            Body = Text(template?["body"]),
            ResponseHandle = (action as HttpActionDetails)?.ResponseHandle,
            ErrorHandle = (action as HttpActionDetails)?.ErrorHandle,
            SubmitLabel = Text(settings?["submitButtonLabel"]),
            ConfirmMessage = Text(settings?["confirmMessage"]),
            SuccessMessage = Text(settings?["successMessage"]),
            Fields = FieldsOf(action.Parameters, action.VisualizationSettings),
            OtherSettings = settings?.DeepClone().AsObject(),
        };
    }

    /// <summary>The form's inputs in order, from an action's parameters and form settings (its read shape).</summary>
    public static List<DraftField> FieldsOf(JsonObject action) => FieldsOf(action["parameters"], action["visualization_settings"]);

    /// <inheritdoc cref="FieldsOf(JsonObject)"/>
    public static List<DraftField> FieldsOf(JsonNode? parameters, JsonNode? visualization)
    {
        var result = new List<(int Order, DraftField Field)>();
        var index = 0;
        foreach (var p in (parameters as JsonArray) ?? [])
        {
            if (p is not JsonObject parameter || ActionShapes.ParameterId(parameter) is not { } id) continue;
            var settings = ActionShapes.FieldSettings(visualization, id);
            var type = Text(parameter["type"]) ?? "text";
            var field = new DraftField(id,
                Label: Text(settings?["title"]) ?? Text(parameter["display-name"]) ?? Text(parameter["name"]) ?? id,
                InputType: Text(settings?["inputType"]) ?? DraftField.DefaultInput(type),
                ParameterType: type,
                Placeholder: Text(settings?["placeholder"]),
                Description: Text(settings?["description"]),
                Required: Bool(settings?["required"]) ?? Bool(parameter["required"]) ?? false,
                Hidden: Bool(settings?["hidden"]) ?? false,
                DefaultValue: settings?["defaultValue"] is { } d ? (d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : d.ToJsonString()) : null,
                Options: (settings?["valueOptions"] as JsonArray)?.Select(o => o?.ToString() ?? "").ToList());
            result.Add((settings?["order"] is JsonValue ov && ov.TryGetValue<int>(out var order) ? order : 1000 + index, field));
            index++;
        }
        return result.OrderBy(r => r.Order).Select(r => r.Field).ToList();
    }

    /// <summary>The POST/PUT body that saves this draft; <paramref name="databaseId"/> is its model's database.</summary>
    public JsonObject ToRequestBody(int? databaseId)
    {
        var fields = new JsonObject();
        for (var i = 0; i < Fields.Count; i++)
        {
            var f = Fields[i];
            var entry = new JsonObject { ["id"] = f.Id, ["title"] = f.Label, ["inputType"] = f.InputType, ["required"] = f.Required, ["hidden"] = f.Hidden, ["order"] = i };
            if (!string.IsNullOrEmpty(f.Placeholder)) entry["placeholder"] = f.Placeholder;
            if (!string.IsNullOrEmpty(f.Description)) entry["description"] = f.Description;
            if (!string.IsNullOrEmpty(f.DefaultValue))
                entry["defaultValue"] = f.InputType == "number" && decimal.TryParse(f.DefaultValue, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : JsonValue.Create(f.DefaultValue);
            if (f.Options.Count > 0) entry["valueOptions"] = new JsonArray(f.Options.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray());
            fields[f.Id] = entry;
        }
        var settings = OtherSettings?.DeepClone().AsObject() ?? new JsonObject { ["type"] = "form" };
        settings["fields"] = fields;
        settings["submitButtonLabel"] = SubmitLabel;
        settings["confirmMessage"] = ConfirmMessage;
        settings["successMessage"] = SuccessMessage;
        var body = new JsonObject { ["name"] = Name, ["description"] = Description, ["type"] = Type, ["model_id"] = ModelId, ["visualization_settings"] = settings };
        switch (Type)
        {
            case ActionDefinition.QueryType:
                var tags = new JsonObject();
                foreach (var f in Fields)
                    tags[f.Id] = new JsonObject { ["name"] = f.Id, ["display-name"] = f.Label, ["type"] = f.TagType, ["required"] = f.Required };
                body["database_id"] = databaseId;
                body["dataset_query"] = new JsonObject { ["database"] = databaseId, ["type"] = "native", ["native"] = new JsonObject { ["query"] = Sql, ["template-tags"] = tags } };
                body["parameters"] = new JsonArray(Fields.Select(f => (JsonNode?)new JsonObject
                {
                    ["id"] = f.Id, ["slug"] = f.Id, ["name"] = f.Label, ["type"] = f.TagType switch { "number" => "number/=", "date" => "date/single", _ => "string/=" },
                    ["target"] = new JsonArray("variable", new JsonArray("template-tag", f.Id)), ["required"] = f.Required,
                }).ToArray());
                break;
            case ActionDefinition.ImplicitType:
                body["kind"] = Kind;
                break;
            case ActionDefinition.HttpType:
                body["template"] = new JsonObject
                {
                    ["method"] = Method, ["url"] = Url, ["headers"] = string.IsNullOrWhiteSpace(Headers) ? null : Headers, ["body"] = string.IsNullOrEmpty(Body) ? null : Body,
                };
                body["parameters"] = new JsonArray(Fields.Select(f => (JsonNode?)new JsonObject { ["id"] = f.Id, ["name"] = f.Label, ["type"] = "string/=" }).ToArray());
                body["response_handle"] = string.IsNullOrWhiteSpace(ResponseHandle) ? null : ResponseHandle;
                body["error_handle"] = string.IsNullOrWhiteSpace(ErrorHandle) ? null : ErrorHandle;
                break;
        }
        return body;
    }

    /// <summary>What is wrong with the headers text before it is saved: it must be a JSON object (template tags allowed in values).</summary>
    public static string? HeadersError(string? headers)
    {
        if (string.IsNullOrWhiteSpace(headers)) return null;
        try
        {
            // Tags are rendered into the text before it is parsed; a tag stands for any JSON-safe text here.
            var probe = System.Text.RegularExpressions.Regex.Replace(headers, @"\{\{[^{}]*\}\}", "x");
            return JsonNode.Parse(probe) is JsonObject ? null : "Headers must be a JSON object, like {\"Authorization\": \"Bearer …\"}.";
        }
        catch (JsonException e)
        {
            return "Not valid JSON: " + e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.') + ".";
        }
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0 ? v.GetValue<string>() : null;
    private static bool? Bool(JsonNode? n) => n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
}
