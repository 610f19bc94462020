using System.Net;
using Actions.Tests.Infrastructure;

namespace Actions.Tests.Pages;

/// <summary>Unknown addresses answer 404: pages with the styled not-found page, the API and static files plainly.</summary>
public sealed class NotFoundPageTests : IDisposable
{
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/actions/no-such/deeper")]
    [InlineData("/actions/abc")]
    public async Task An_unknown_page_is_404_with_the_not_found_page_in_the_app_layout(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Page not found</h1>", html);
        Assert.Matches(@"href=""app\.(\w+\.)?css""", html);
        Assert.Contains("_framework/blazor.web.js", html);
    }

    [Fact]
    public async Task An_unknown_api_route_stays_a_plain_404()
    {
        using var response = await _app.CreateClient().GetAsync("/api/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not found.", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/nothing.css")]
    [InlineData("/_content/MudBlazor/nothing.js")]
    public async Task A_missing_static_file_stays_a_plain_404(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Page not found", await response.Content.ReadAsStringAsync());
    }
}
