using System.Net;
using Actions.Web.Components.ActionPages;
using Actions.Web.Components.Shared;
using Actions.Web.Hosting;
using Bunit;
using MudBlazor;

namespace Actions.Tests.Components;

/// <summary>bUnit tests of the form builder and the action editor, on the real service layer.</summary>
[Collection("Components")]
public sealed class EditorComponentTests(ComponentHost host)
{
    private static List<FormField> Fields() =>
    [
        new() { Id = "name", Label = "Name", InputType = "string" },
        new() { Id = "size", Label = "Size", InputType = "select", Options = ["S", "M"] },
        new() { Id = "amount", Label = "Amount", InputType = "number" },
    ];

    /// <summary>What the Monaco editor reports as the person types (its JavaScript does not run under bUnit).</summary>
    private static Task TypeSqlAsync(IRenderedComponent<ActionEditor> editor, string sql)
    {
        var sqlEditor = editor.FindComponent<CodeEditor>();
        return editor.InvokeAsync(() => sqlEditor.Instance.ValueChanged.InvokeAsync(sql));
    }

    [Fact]
    public async Task Form_builder_shows_a_card_per_parameter_and_options_only_for_dropdowns()
    {
        await using var ctx = host.Context(host.AdminId);
        var builder = ctx.Render<FormBuilder>(p => p.Add(b => b.Fields, Fields()));
        Assert.Equal(["name", "size", "amount"], builder.FindAll("[data-parameter]").Select(e => e.GetAttribute("data-parameter")));
        Assert.Single(builder.FindAll("[data-parameter='size'] input"), i => i.GetAttribute("value") == "S, M");
        Assert.DoesNotContain("Options (comma separated)", builder.Find("[data-parameter='name']").TextContent);
        Assert.Contains("Options (comma separated)", builder.Find("[data-parameter='size']").TextContent);
    }

    [Fact]
    public async Task Form_builder_moves_fields_with_the_arrows_and_reports_every_change()
    {
        var fields = Fields();
        var changes = 0;
        await using var ctx = host.Context(host.AdminId);
        var builder = ctx.Render<FormBuilder>(p => p.Add(b => b.Fields, fields).Add(b => b.Changed, () => changes++));

        builder.Find("button[aria-label='Move amount up']").Click();
        Assert.Equal(["name", "amount", "size"], fields.Select(f => f.Id));
        Assert.Equal(["name", "amount", "size"], builder.FindAll("[data-parameter]").Select(e => e.GetAttribute("data-parameter")));
        Assert.True(builder.Find("button[aria-label='Move name up']").HasAttribute("disabled"));
        Assert.Equal(1, changes);

        // A label typed into the card changes the field itself.
        builder.Find("[data-parameter='name'] input").Input("Customer name");
        Assert.Equal("Customer name", fields[0].Label);
        Assert.Equal(2, changes);
    }

    [Fact]
    public void Form_builder_flags_defaults_the_input_type_cannot_hold_and_splits_options()
    {
        Assert.Equal("Must be a number", FormBuilder.DefaultError(new FormField { Id = "n", InputType = "number", DefaultValue = "ten" }));
        Assert.Null(FormBuilder.DefaultError(new FormField { Id = "n", InputType = "number", DefaultValue = "10.5" }));
        Assert.Null(FormBuilder.DefaultError(new FormField { Id = "s", InputType = "string", DefaultValue = "ten" }));
        Assert.Equal(["S", "M"], FormBuilder.SplitOptions(" S, M ,,S"));
    }

    [Fact]
    public async Task Editor_turns_template_tags_into_parameters_as_they_are_typed()
    {
        await using var ctx = host.Context(host.AdminId);
        var editor = ctx.Render<ActionEditor>();
        editor.WaitForElement("[data-testid='sql-editor']");

        await TypeSqlAsync(editor, "UPDATE products SET price = {{price}} WHERE id = {{product_id}}");
        editor.WaitForAssertion(() => Assert.Equal(["price", "product_id"],
            editor.FindAll("[data-parameter]").Select(e => e.GetAttribute("data-parameter"))));
        // The preview shows the form as it will be: humanised labels.
        Assert.Contains("Product ID", editor.Markup);

        await TypeSqlAsync(editor, "UPDATE products SET price = {{price}} WHERE id = 1");
        editor.WaitForAssertion(() => Assert.Equal(["price"], editor.FindAll("[data-parameter]").Select(e => e.GetAttribute("data-parameter"))));

        await TypeSqlAsync(editor, "UPDATE products SET price = {{price WHERE id = 1");
        editor.WaitForAssertion(() => Assert.NotEmpty(editor.FindAll(".sql-editor-invalid .sql-error")));
    }

    [Fact]
    public async Task Editor_shows_validation_errors_on_their_fields_and_saves_nothing()
    {
        var before = (await host.Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray().Count;
        await using var ctx = host.Context(host.AdminId);
        var editor = ctx.Render<ActionEditor>();
        editor.WaitForElement("[data-testid='sql-editor']");

        // No name: the name field says so.
        editor.FindAll("button").First(b => b.TextContent.Trim() == "Save").Click();
        editor.WaitForAssertion(() => Assert.Contains("A name is needed.", editor.Markup));
        Assert.Contains("Some fields need attention.", editor.Markup);

        // A name but no model: the service's validation error lands on the model picker.
        editor.FindAll(".mud-input-control").First(c => c.TextContent.Contains("Name")).QuerySelector("input")!.Input("Raise prices");
        await TypeSqlAsync(editor, "UPDATE products SET price = price * 1.1");
        editor.FindAll("button").First(b => b.TextContent.Trim() == "Save").Click();
        editor.WaitForAssertion(() => Assert.Contains("value must be an integer greater than zero.", editor.Markup));
        Assert.DoesNotContain("A name is needed.", editor.Markup);

        Assert.Equal(before, (await host.Admin.Get("/api/action")).Expect(HttpStatusCode.OK).Json.AsArray().Count);
    }

    [Fact]
    public async Task Editor_validates_jq_handles_as_they_are_typed_with_the_server_parser()
    {
        var id = await host.ExampleActionIdAsync("http");
        await using var ctx = host.Context(host.AdminId);
        var editor = ctx.Render<ActionEditor>(p => p.Add(e => e.Id, id));
        editor.WaitForAssertion(() => Assert.Contains("Response handle (jq)", editor.Markup));

        var handle = editor.FindAll(".mud-input-control").First(c => c.TextContent.Contains("Response handle (jq)")).QuerySelector("input")!;
        handle.Input(".body | map(.name");
        editor.WaitForAssertion(() =>
            Assert.Contains("mud-input-error", editor.FindAll(".mud-input-control").First(c => c.TextContent.Contains("Response handle (jq)")).OuterHtml));

        editor.FindAll(".mud-input-control").First(c => c.TextContent.Contains("Response handle (jq)")).QuerySelector("input")!.Input(".body | map(.name)");
        editor.WaitForAssertion(() =>
            Assert.DoesNotContain("mud-input-error", editor.FindAll(".mud-input-control").First(c => c.TextContent.Contains("Response handle (jq)")).OuterHtml));
    }

    [Fact]
    public async Task A_member_without_write_permission_cannot_open_the_editor_of_an_action()
    {
        var id = await host.ExampleActionIdAsync("query");
        await using var ctx = host.Context(host.MemberId);
        var editor = ctx.Render<ActionEditor>(p => p.Add(e => e.Id, id));
        editor.WaitForAssertion(() => Assert.NotEmpty(editor.FindAll(".mud-alert")));
        Assert.Empty(editor.FindAll("[data-testid='sql-editor']"));
        Assert.Empty(editor.FindAll("[data-parameter]"));
    }
}
