using System.Text.Json;
using Actions.Data.ActionDefinitions;
using Actions.Data.Databases;
using Actions.Data.Models;
using Actions.Data.Platform;
using Actions.Web.Hosting;

namespace Actions.Tests.Unit;

/// <summary>
/// The typed read model writes exactly the bytes the API wrote before it existed (the JSON the black-box suite
/// compares): key order, type-specific keys, nulls, escaping, timestamps, generated implicit parameters and the
/// template's parameters replacing the top-level ones. The expected texts were captured from the JsonObject
/// builder the read model replaced.
/// </summary>
public sealed class ActionDetailsTests
{
    private static readonly DateTime Created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
    private static readonly DateTime Updated = new DateTime(2026, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private static ActionDefinition Action(string type, string name = "Mark \"shipped\" — Ünïcode <b>&'") => new()
    {
        Id = 7, Name = name, Type = type, ModelId = 3, EntityId = "AbCdEfGhIjKlMnOpQrStU",
        CreatedAt = Created, UpdatedAt = Updated, CreatorId = 1,
    };

    private static ModelContext Model(params DbField[] fields) =>
        new(new Card { Id = 3, Name = "Orders", Type = Card.ModelType, DatabaseId = 4, TableId = fields.Length > 0 ? 5 : null }, ImplicitParameters.Eligible(fields), null, fields);

    private static readonly UserDto Creator = new(1, "ad\"min@example.com", "Ad", "Min", "Ad Min", true, true, Created, null, false, [1, 2]);

    private static string Json(ActionDefinition a, ModelContext model, UserDto? creator = null) =>
        JsonSerializer.Serialize(ActionDetails.Read(a, model, creator), ApiJson.Options);

    [Fact]
    public void A_query_action_with_a_creator_and_a_public_link_reads_as_before()
    {
        var a = Action(ActionDefinition.QueryType);
        a.Description = "Sets <status>";
        a.ParametersJson = """[{"id":"status","type":"string/=","target":["variable",["template-tag","status"]]}]""";
        a.ParameterMappingsJson = """{"a":1}""";
        a.VisualizationSettingsJson = """{"type":"form","fields":{"status":{"hidden":false,"title":"Státus"}}}""";
        a.PublicUuid = Guid.Parse("0b6c1f5e-7a89-4d3c-9f0e-2a1b3c4d5e6f");
        a.MadePublicById = 1;
        a.Archived = true;
        a.Query = new QueryActionPart { DatabaseId = 4, DatasetQueryJson = """{"database":4,"type":"native","native":{"query":"UPDATE orders SET status = {{status}} WHERE id < 3","template-tags":{}}}""" };
        Assert.Equal(
            """{"id":7,"name":"Mark \"shipped\" — Ünïcode <b>&'","description":"Sets <status>","type":"query","model_id":3,"database_id":4,"parameters":[{"id":"status","type":"string/=","target":["variable",["template-tag","status"]]}],"parameter_mappings":{"a":1},"visualization_settings":{"type":"form","fields":{"status":{"hidden":false,"title":"Státus"}}},"public_uuid":"0b6c1f5e-7a89-4d3c-9f0e-2a1b3c4d5e6f","made_public_by_id":1,"archived":true,"creator_id":1,"entity_id":"AbCdEfGhIjKlMnOpQrStU","created_at":"2026-01-02T03:04:05.1234567Z","updated_at":"2026-02-03T04:05:06Z","dataset_query":{"database":4,"type":"native","native":{"query":"UPDATE orders SET status = {{status}} WHERE id < 3","template-tags":{}}},"creator":{"id":1,"email":"ad\"min@example.com","first_name":"Ad","last_name":"Min","common_name":"Ad Min","is_superuser":true,"is_active":true,"date_joined":"2026-01-02T03:04:05.1234567Z","last_login":null,"is_qbnewb":false,"group_ids":[1,2]}}""",
            Json(a, Model(), Creator));
    }

    [Fact]
    public void A_query_action_without_its_type_row_or_stored_parts_reads_as_before()
    {
        var a = Action(ActionDefinition.QueryType, "q");
        a.CreatorId = null;
        a.ParametersJson = "7";
        a.VisualizationSettingsJson = "\"x\"";
        Assert.Equal(
            """{"id":7,"name":"q","description":null,"type":"query","model_id":3,"database_id":null,"parameters":7,"parameter_mappings":null,"visualization_settings":"x","public_uuid":null,"made_public_by_id":null,"archived":false,"creator_id":null,"entity_id":"AbCdEfGhIjKlMnOpQrStU","created_at":"2026-01-02T03:04:05.1234567Z","updated_at":"2026-02-03T04:05:06Z","dataset_query":null}""",
            Json(a, Model()));
    }

    [Fact]
    public void An_implicit_action_reads_its_generated_parameters_and_the_models_database_as_before()
    {
        var a = Action(ActionDefinition.ImplicitType, "Update");
        a.Implicit = new ImplicitActionPart { Kind = "row/update" };
        a.VisualizationSettingsJson = """{"type":"form","fields":{"name":{"hidden":true}}}""";
        var model = Model(
            new DbField { Id = 11, TableId = 5, Name = "id", DisplayName = "ID", BaseType = BaseTypes.Integer, IsPrimaryKey = true, Position = 0 },
            new DbField { Id = 12, TableId = 5, Name = "name", DisplayName = "Name", BaseType = "type/Text", Position = 1 });
        Assert.Equal(
            """{"id":7,"name":"Update","description":null,"type":"implicit","model_id":3,"database_id":4,"parameters":[{"id":"id","display-name":"ID","target":["variable",["template-tag","id"]],"type":"number","required":true,"is-auto-increment":false},{"id":"name","display-name":"Name","target":["variable",["template-tag","name"]],"type":"text","required":false,"is-auto-increment":false}],"parameter_mappings":null,"visualization_settings":{"type":"form","fields":{"id":{"id":"id","hidden":false},"name":{"hidden":true}}},"public_uuid":null,"made_public_by_id":null,"archived":false,"creator_id":1,"entity_id":"AbCdEfGhIjKlMnOpQrStU","created_at":"2026-01-02T03:04:05.1234567Z","updated_at":"2026-02-03T04:05:06Z","kind":"row/update"}""",
            Json(a, model));
    }

    [Fact]
    public void An_http_action_reads_its_templates_parameters_in_place_of_the_top_level_ones_as_before()
    {
        var a = Action(ActionDefinition.HttpType, "Call");
        a.ParametersJson = """[{"id":"top","type":"string/="}]""";
        a.ParameterMappingsJson = """{"top":1}""";
        a.Http = new HttpActionPart
        {
            TemplateJson = """{"method":"POST","url":"https://example.com/{{q}}","parameters":[{"id":"q","type":"string/="}],"parameter_mappings":{"q":2}}""",
            ResponseHandle = ".body", ErrorHandle = null,
        };
        Assert.Equal(
            """{"id":7,"name":"Call","description":null,"type":"http","model_id":3,"database_id":null,"parameters":[{"id":"q","type":"string/="}],"parameter_mappings":{"q":2},"visualization_settings":null,"public_uuid":null,"made_public_by_id":null,"archived":false,"creator_id":1,"entity_id":"AbCdEfGhIjKlMnOpQrStU","created_at":"2026-01-02T03:04:05.1234567Z","updated_at":"2026-02-03T04:05:06Z","template":{"method":"POST","url":"https://example.com/{{q}}","parameters":[{"id":"q","type":"string/="}],"parameter_mappings":{"q":2}},"response_handle":".body","error_handle":null}""",
            Json(a, Model()));
    }
}
