using Actions.Web.Api;
using Microsoft.AspNetCore.Http;

namespace Actions.Tests.Unit;

/// <summary>Only the two run endpoints skip the authentication middlewares; every other path keeps them.</summary>
public sealed class RunPathTests
{
    [Theory]
    [InlineData("/api/action/12/execute", true)]
    [InlineData("/api/public/action/0b6c1f5e-7a89-4d3c-9f0e-2a1b3c4d5e6f/execute", true)]
    [InlineData("/api/action/12/execute/more", false)]
    [InlineData("/api/action/1/2/execute", false)]
    [InlineData("/api/action//execute", false)]
    [InlineData("/api/action/execute", false)]
    [InlineData("/api/action/12", false)]
    [InlineData("/api/action/12/prefetch", false)]
    [InlineData("/api/database/1/execute", false)]
    [InlineData("/actions/12/execute", false)]
    [InlineData("/api/Action/12/execute", false)]
    public void Recognises_exactly_the_run_endpoints(string path, bool run)
    {
        Assert.Equal(run, ExecuteEndpoints.IsRun("POST", new PathString(path)));
        // The same paths with GET are the prefetch, which authenticates through the middleware.
        Assert.False(ExecuteEndpoints.IsRun("GET", new PathString(path)));
    }
}
