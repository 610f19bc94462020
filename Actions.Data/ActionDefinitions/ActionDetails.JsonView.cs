using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actions.Data.ActionDefinitions;

/// <summary>
/// Transitional: the action editor still reads the API's JSON shape of an action (issue #15 gives it a typed draft of
/// its own). These members let it read a read model as that JSON until then; delete this file when nothing indexes
/// an <see cref="ActionDetails"/> by key any more.
/// </summary>
public partial record ActionDetails
{
    /// <summary>The API's JSON of this action (a fresh copy).</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, ActionShapes.JsonOptions)!.AsObject();

    /// <summary>One key of <see cref="ToJson"/>.</summary>
    public JsonNode? this[string key] => ToJson()[key];

    public static implicit operator JsonObject(ActionDetails action) => action.ToJson();
}
