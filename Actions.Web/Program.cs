using Actions.Data.Hosting;
using Actions.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddActionsConfiguration();
builder.AddActionsData();
builder.AddActionsWeb();

var app = builder.Build();
await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);

app.UseActionsPipeline();
app.MapActionsEndpoints();
app.Run();

/// <summary>The web host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
