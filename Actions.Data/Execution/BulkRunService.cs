using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Platform;

namespace Actions.Data.Execution;

/// <summary>What one row's run came to: the action's answer, or the error that stopped it.</summary>
public sealed record BulkOutcome(JsonNode Key, JsonNode? Result, ApiError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>The outcomes in the order the rows ran; <see cref="Stopped"/> when Stop came before the last row.</summary>
public sealed record BulkResult(IReadOnlyList<BulkOutcome> Outcomes, bool Stopped)
{
    public int Succeeded => Outcomes.Count(o => o.Succeeded);
    public int Failed => Outcomes.Count(o => !o.Succeeded);
}

/// <summary>
/// Runs one action on many rows (the model browser's bulk runs): one run per row through <see cref="ActionExecutionService"/>
/// (each checked and logged as a browser run), one row at a time, a failed row recorded and the next one run. Stop ends it
/// between rows: a run that has started is let finish, so every outcome reported is what happened.
/// </summary>
public sealed class BulkRunService(ActionExecutionService execution)
{
    /// <param name="values">The form's values, the same for every row.</param>
    /// <param name="keyParameter">The parameter each row's key goes in.</param>
    /// <param name="ran">Called after each row (progress).</param>
    /// <param name="stop">Stops before the next row.</param>
    public async Task<BulkResult> RunAsync(Caller caller, int actionId, string keyParameter, JsonObject values, IAsyncEnumerable<JsonNode> keys,
        Func<BulkOutcome, Task>? ran, CancellationToken stop)
    {
        var outcomes = new List<BulkOutcome>();
        try
        {
            await foreach (var key in keys.WithCancellation(stop))
            {
                if (stop.IsCancellationRequested) break;
                var parameters = (JsonObject)values.DeepClone();
                parameters[keyParameter] = key.DeepClone();
                // As a request body gives them: the runners read values as JSON text makes them (a key read from a row is not).
                parameters = (JsonObject)JsonNode.Parse(parameters.ToJsonString())!;
                BulkOutcome outcome;
                try
                {
                    var result = await execution.ExecuteAsync(caller, actionId, parameters, ExecutionSources.Ui, CancellationToken.None);
                    outcome = new BulkOutcome(key, result.Body, null);
                }
                catch (ApiError e)
                {
                    outcome = new BulkOutcome(key, null, e);
                }
                outcomes.Add(outcome);
                if (ran is not null) await ran(outcome);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while the next keys were being read.
        }
        return new BulkResult(outcomes, stop.IsCancellationRequested);
    }
}
