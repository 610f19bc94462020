using Actions.Data.Hosting;
using Actions.Web.Hosting;

// A published app serves its static files from its own folder, wherever it is started from (the default web root is
// the working directory's wwwroot: started elsewhere, every CSS and JS file was served empty).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = WebHostingExtensions.PublishedWebRoot() });
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
