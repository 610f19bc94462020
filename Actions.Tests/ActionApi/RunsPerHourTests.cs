using Actions.Data.Execution.Log;
using Actions.Data.Platform;
using Actions.Data.Store;
using Actions.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Actions.Tests.ActionApi;

/// <summary>
/// The history page's chart: runs per hour by outcome over the filtered range, counted by the store (SQLite here; the
/// same tests on PostgreSQL when test.sh sets ACTIONS_TEST_APP_STORE=postgres).
/// </summary>
public sealed class RunsPerHourTests : IDisposable
{
    private static readonly Caller Superuser = new(0, true, new HashSet<int> { 2 });
    private readonly AppFactory _app = new();

    public void Dispose() => _app.Dispose();

    private ExecutionHistoryService History => _app.Services.GetRequiredService<ExecutionHistoryService>();

    /// <summary>Log entries at fixed times (each one a run of action 1 or 2 from the given source), written straight to the store.</summary>
    private async Task LogAsync(params (DateTime At, string Status, int ActionId, string Source, bool Draft)[] runs)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        foreach (var run in runs)
            db.ExecutionLog.Add(new ExecutionLogEntry
            {
                ActionId = run.ActionId, ActionName = $"Action {run.ActionId}", ActionType = "query", Source = run.Source, StartedAt = run.At,
                Status = run.Status, HttpStatus = run.Status == "success" ? 200 : 400, IsDraft = run.Draft,
            });
        await db.SaveChangesAsync();
    }

    private static readonly DateTime Ten = new(2026, 3, 14, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Counts_each_hour_of_the_range_by_outcome_including_hours_without_runs()
    {
        await LogAsync(
            (Ten.AddMinutes(-1), "success", 1, "api", false), // 09:59, before the range
            (Ten, "success", 1, "api", false),
            (Ten.AddMinutes(59.9), "error", 1, "ui", false),
            (Ten.AddMinutes(30), "success", 2, "public", false),
            (Ten.AddHours(2).AddMinutes(5), "success", 1, "ui", true), // a draft run counts like any other
            (Ten.AddHours(2).AddMinutes(6), "error", 2, "api", false),
            (Ten.AddHours(2).AddMinutes(7), "error", 2, "api", false),
            (Ten.AddHours(3), "success", 1, "api", false)); // the range's end is not in it

        var hours = await History.RunsPerHourAsync(Superuser, new ExecutionHistoryService.Filter(null, null, null, 50, 0, Ten, Ten.AddHours(3)), default);

        Assert.Equal(
            [new(Ten, 2, 1), new(Ten.AddHours(1), 0, 0), new(Ten.AddHours(2), 1, 2)],
            hours.ToArray());
        Assert.All(hours, h => Assert.Equal(DateTimeKind.Utc, h.Hour.Kind));
    }

    [Fact]
    public async Task Follows_the_filters_of_the_table()
    {
        await LogAsync(
            (Ten.AddMinutes(1), "success", 1, "api", false),
            (Ten.AddMinutes(2), "error", 1, "ui", false),
            (Ten.AddMinutes(3), "success", 2, "ui", false),
            (Ten.AddMinutes(4), "success", 1, "ui", false));

        async Task<ExecutionHistoryService.HourlyRuns> OnlyHourAsync(int? actionId, string? status, string? source) =>
            Assert.Single(await History.RunsPerHourAsync(Superuser, new ExecutionHistoryService.Filter(actionId, status, source, 50, 0, Ten, Ten.AddHours(1)), default));

        Assert.Equal(new(Ten, 2, 1), await OnlyHourAsync(1, null, null));
        Assert.Equal(new(Ten, 2, 1), await OnlyHourAsync(null, null, "ui"));
        Assert.Equal(new(Ten, 0, 1), await OnlyHourAsync(null, "error", null));
        // The table's page has no say in the chart.
        Assert.Equal(new(Ten, 3, 1), await OnlyHourAsync(null, null, null));
    }

    [Fact]
    public async Task Is_for_superusers_and_needs_a_bounded_range()
    {
        var member = new Caller(5, false, new HashSet<int> { 1 });
        await Assert.ThrowsAsync<Actions.Data.Errors.PlainError>(() =>
            History.RunsPerHourAsync(member, new ExecutionHistoryService.Filter(null, null, null, 50, 0, Ten, Ten.AddHours(1)), default));
        await Assert.ThrowsAnyAsync<Actions.Data.Errors.ApiError>(() =>
            History.RunsPerHourAsync(Superuser, new ExecutionHistoryService.Filter(null, null, null, 50, 0, null, null), default));
        await Assert.ThrowsAnyAsync<Actions.Data.Errors.ApiError>(() =>
            History.RunsPerHourAsync(Superuser, new ExecutionHistoryService.Filter(null, null, null, 50, 0, Ten, Ten.AddDays(40)), default));
    }

    [Fact]
    public async Task The_table_narrows_to_the_same_range()
    {
        await LogAsync((Ten.AddMinutes(-1), "success", 1, "api", false), (Ten, "success", 1, "api", true), (Ten.AddHours(1), "success", 1, "api", false));
        var page = await History.AllAsync(Superuser, new ExecutionHistoryService.Filter(null, null, null, 50, 0, Ten, Ten.AddHours(1)), default);
        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.True(page["data"]![0]!["draft"]!.GetValue<bool>());
    }
}
