using System.Text.Json;
using System.Text.Json.Nodes;
using Actions.Data.Databases;
using Actions.Data.Errors;
using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Connected databases (changes are superuser only), their schema sync and metadata.</summary>
[Route("api/database")]
public sealed class DatabaseController(DatabaseService databases) : ApiControllerBase
{
    private const string ActionsSetting = "database-enable-actions";

    /// <summary>Connects a database: <c>{"name", "engine", "details"}</c>; the connection is tested, then synced.</summary>
    [HttpPost]
    [RequestBody<DatabaseBody>]
    public async Task<DatabaseDto> Create(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", required: true, nonBlank: true, maxLength: 254);
        var engine = body.String("engine", required: true, nonBlank: true);
        var details = body.Map("details", required: true);
        body.Map("settings");
        var enabled = body.Nested("settings").Boolean(ActionsSetting);
        body.ThrowIfInvalid();
        return await databases.CreateAsync(Caller, new DatabaseService.NewDatabase(name!, engine!, details!, ActionsEnabled: enabled ?? false), ct);
    }

    [HttpGet]
    public async Task<ListPage<DatabaseDto>> List(CancellationToken ct) => await databases.ListAsync(Caller, ct);

    [HttpGet("{id:int:min(0)}")]
    public async Task<DatabaseDto> Get(int id, CancellationToken ct) => await databases.GetAsync(Caller, RouteId(id), ct);

    /// <summary>Changes <c>name</c>, <c>details</c> (masked or omitted password keeps the stored one) or <c>settings</c> (merged).</summary>
    [HttpPut("{id:int:min(0)}")]
    [RequestBody<DatabaseBody>]
    public async Task<DatabaseDto> Update(int id, CancellationToken ct)
    {
        RouteId(id);
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", nonBlank: true, maxLength: 254);
        var details = body.Map("details");
        body.Map("settings");
        var enabled = body.Nested("settings").Boolean(ActionsSetting);
        body.ThrowIfInvalid();
        return await databases.UpdateAsync(Caller, id, new DatabaseService.DatabaseChanges(name, details, enabled), ct);
    }

    [HttpDelete("{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(int id, CancellationToken ct)
    {
        await databases.DeleteAsync(Caller, RouteId(id), ct);
        return NoContent();
    }

    [HttpPost("{id:int:min(0)}/sync_schema")]
    [ProducesResponseType<StatusAnswer>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Sync(int id, CancellationToken ct)
    {
        await databases.SyncAsync(Caller, RouteId(id), ct);
        return Ok(new { status = "ok" });
    }

    [HttpGet("{id:int:min(0)}/metadata")]
    public async Task<DatabaseMetadataDto> Metadata(int id, CancellationToken ct) => await databases.MetadataAsync(Caller, RouteId(id), ct);

    /// <summary>The sorted schema names of the database's tables (<c>[]</c> on SQLite).</summary>
    [HttpGet("{id:int:min(0)}/schemas")]
    public async Task<IReadOnlyList<string>> Schemas(int id, CancellationToken ct) => await databases.SchemasAsync(RouteId(id), ct);

    /// <summary>The tables of one schema (404 for a schema the database does not have).</summary>
    [HttpGet("{id:int:min(0)}/schema/{schema}")]
    public async Task<IReadOnlyList<TableSummaryDto>> SchemaTables(int id, string schema, CancellationToken ct) =>
        await databases.SchemaTablesAsync(RouteId(id), schema, ct);
}

/// <summary>Tables and fields of connected databases.</summary>
[Route("api")]
public sealed class TableFieldController(DatabaseService databases) : ApiControllerBase
{
    [HttpGet("table/{id:int:min(0)}")]
    public async Task<TableWithDatabaseDto> Table(int id, CancellationToken ct) => await databases.TableWithDatabaseAsync(Caller, RouteId(id), ct);

    [HttpGet("field/{id:int:min(0)}")]
    public async Task<FieldInTableDto> Field(int id, CancellationToken ct) => await databases.FieldAsync(RouteId(id), ct);

    [HttpGet("table/{id:int:min(0)}/query_metadata")]
    public async Task<TableDto> QueryMetadata(int id, CancellationToken ct) => await databases.TableAsync(Caller, RouteId(id), ct);

    /// <summary>Changes <c>display_name</c>, <c>visibility_type</c> (normal, sensitive, hidden) or <c>semantic_type</c>.</summary>
    [HttpPut("field/{id:int:min(0)}")]
    [RequestBody<FieldBody>]
    public async Task<FieldDto> UpdateField(int id, CancellationToken ct)
    {
        RouteId(id);
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var displayName = body.String("display_name", nonBlank: true, maxLength: 254);
        var visibility = body.String("visibility_type");
        if (visibility is not null && !Visibility.IsValid(visibility))
            body.Errors.Add(["visibility_type"], "enum of normal, sensitive, hidden", body.Raw("visibility_type")!.DeepClone());
        var semantic = body.String("semantic_type");
        body.ThrowIfInvalid();
        return await databases.UpdateFieldAsync(Caller, id,
            new DatabaseService.FieldChanges(displayName, visibility, body.Has("semantic_type"), semantic), ct);
    }
}
