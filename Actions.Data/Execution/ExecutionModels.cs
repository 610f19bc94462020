using System.Text.Json.Nodes;
using Actions.Data.ActionDefinitions;
using Actions.Data.Platform;

namespace Actions.Data.Execution;

public static class ExecutionSources
{
    public const string Api = "api";
    public const string Ui = "ui";
    public const string Public = "public";
}

/// <summary>What a run answers: the HTTP status and the body (none for 204).</summary>
public sealed record ExecutionResult(int Status, JsonNode? Body, JsonObject? LogResult)
{
    public static ExecutionResult Ok(JsonNode? body, JsonObject? logResult) => new(200, body, logResult);
}

/// <summary>Who runs, from where.</summary>
public sealed record RunContext(string Source, Caller? Caller, string? ClientIp);

/// <summary>A run after the common steps: accepted parameters, the request's values and the defaults that filled gaps.</summary>
public sealed record RunInput(ActionDefinition Action, ModelContext Model, JsonArray Parameters, JsonNode? Visualization,
    JsonObject Request, JsonObject Defaulted, RunContext Context)
{
    /// <summary>The value a parameter has for this run: the request's (non-null), else the form default that filled its absence.</summary>
    public JsonNode? Value(string id) => Request[id] ?? Defaulted[id];
}

/// <summary>Runs one type of action after the common steps.</summary>
public interface IActionRunner
{
    string Type { get; }
    Task<ExecutionResult> RunAsync(RunInput input, CancellationToken ct);
}
