using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Actions.Web.Api;

/// <summary><c>GET /api/search?q=…&amp;models=…</c>: what the caller may see, by name.</summary>
[Route("api/search")]
public sealed class SearchController(SearchService search) : ApiControllerBase
{
    [HttpGet]
    public async Task<SearchResultsDto> Search(CancellationToken ct) =>
        await search.SearchAsync(Caller, Request.Query["q"].ToString(), SearchService.ParseModels(Request.Query["models"], SearchService.Models), ct);
}
