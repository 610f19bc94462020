using System.Text.Json.Nodes;
using Actions.Data.Errors;
using Actions.Data.Models;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Saved questions and models.</summary>
[Route("api/card")]
public sealed class CardController(CardService cards) : ApiControllerBase
{
    /// <summary>Creates a card: <c>{"name", "type", "dataset_query", "collection_id"?, "description"?, "display"?, "visualization_settings"?}</c>.</summary>
    [HttpPost]
    [RequestBody<CardBody>]
    public async Task<CardDto> Create(CancellationToken ct)
    {
        var body = await ReadBodyAsync(ct);
        var input = Read(body, creating: true);
        return await cards.CreateAsync(Caller, input, ct);
    }

    [HttpGet]
    public async Task<IReadOnlyList<CardDto>> List([FromQuery] bool archived, CancellationToken ct) => await cards.ListAsync(Caller, archived, ct);

    [HttpGet("{id:int:min(0)}")]
    public async Task<CardDto> Get(int id, CancellationToken ct) => await cards.GetAsync(Caller, RouteId(id), ct);

    /// <summary>Changes any of the creation keys, plus <c>archived</c>.</summary>
    [HttpPut("{id:int:min(0)}")]
    [RequestBody<CardBody>]
    public async Task<CardDto> Update(int id, CancellationToken ct)
    {
        RouteId(id);
        var body = await ReadBodyAsync(ct);
        return await cards.UpdateAsync(Caller, id, Read(body, creating: false), ct);
    }

    [HttpDelete("{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(int id, CancellationToken ct)
    {
        await cards.DeleteAsync(Caller, RouteId(id), ct);
        return NoContent();
    }

    private static CardService.CardInput Read(RequestBody body, bool creating)
    {
        var name = body.String("name", required: creating, nonBlank: true, maxLength: 254);
        var type = body.String("type");
        if (type is not null && type is not (Card.ModelType or Card.QuestionType))
            body.Errors.Add(["type"], "enum of question, model", body.Raw("type")!.DeepClone());
        CardQuery? query = null;
        if (creating || body.HasValue("dataset_query")) query = CardQuery.Parse(body.Raw("dataset_query"), body.Errors);
        var collectionId = body.PositiveInt("collection_id");
        var description = body.String("description");
        var display = body.String("display", nonBlank: true);
        var visualization = body.Map("visualization_settings");
        var archived = body.Boolean("archived");
        body.ThrowIfInvalid();
        return new CardService.CardInput(name, type, body.Raw("dataset_query")?.DeepClone(), query, body.Has("collection_id"), collectionId,
            body.Has("description"), description, display, body.Has("visualization_settings"), visualization?.DeepClone(), archived);
    }
}
