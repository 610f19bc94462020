using Actions.Data.Reading;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Reading data back (data-api.md): ad-hoc queries and a card's own query, answered 202 as Metabase does.</summary>
public sealed class DatasetController(DatasetService datasets) : ApiControllerBase
{
    /// <summary>
    /// Runs <c>{"database", "type": "native"|"query", "native"?: {"query", "template-tags"?}, "query"?: {MBQL}, "parameters"?}</c>;
    /// 202 with the rows, or 202 <c>status: "failed"</c> when the query fails.
    /// </summary>
    [HttpPost("api/dataset")]
    [RequestBody<DatasetBody>]
    [ProducesResponseType<DatasetAnswer>(StatusCodes.Status202Accepted)]
    public async Task<IActionResult> Run(CancellationToken ct)
    {
        var request = DatasetRequest.Parse(await ReadBodyAsync(ct));
        return Accepted(await datasets.RunAsync(Caller, request, ct));
    }

    /// <summary>
    /// Runs a card's own query (<c>"context": "question"</c>), at most 2,000 rows; the body's optional <c>parameters</c> give a
    /// native card's template tags their values.
    /// </summary>
    [HttpPost("api/card/{id:int:min(0)}/query")]
    [RequestBody<CardQueryBody>(required: false)]
    [ProducesResponseType<DatasetAnswer>(StatusCodes.Status202Accepted)]
    public async Task<IActionResult> RunCard(int id, CancellationToken ct)
    {
        RouteId(id);
        var parameters = DatasetRequest.CardParameters(await ReadJsonAsync(Request, ct));
        return Accepted(await datasets.RunCardAsync(Caller, id, parameters, ct));
    }
}
