using Actions.Data.Platform;
using Microsoft.AspNetCore.Mvc;
using Actions.Web.OpenApi;

namespace Actions.Web.Api;

/// <summary>Permission groups and memberships (superuser only).</summary>
[Route("api/permissions")]
public sealed class PermissionsController(GroupService groups) : ApiControllerBase
{
    [HttpGet("group")]
    public async Task<IReadOnlyList<GroupDto>> List(CancellationToken ct) => await groups.ListAsync(Caller, ct);

    /// <summary>Creates a group: <c>{"name"}</c>.</summary>
    [HttpPost("group")]
    [RequestBody<GroupBody>]
    public async Task<GroupDto> Create(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var name = body.String("name", required: true, nonBlank: true, maxLength: 254);
        body.ThrowIfInvalid();
        return await groups.CreateAsync(Caller, name!.Trim(), ct);
    }

    [HttpDelete("group/{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(int id, CancellationToken ct)
    {
        await groups.DeleteAsync(Caller, RouteId(id), ct);
        return NoContent();
    }

    /// <summary>Adds a user to a group: <c>{"group_id", "user_id"}</c>.</summary>
    [HttpPost("membership")]
    [RequestBody<MembershipBody>]
    public async Task<MembershipDto> AddMember(CancellationToken ct)
    {
        Caller.RequireSuperuser();
        var body = await ReadBodyAsync(ct);
        var groupId = body.PositiveInt("group_id", required: true);
        var userId = body.PositiveInt("user_id", required: true);
        body.ThrowIfInvalid();
        return await groups.AddMemberAsync(Caller, groupId!.Value, userId!.Value, ct);
    }

    [HttpDelete("membership/{id:int:min(0)}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> RemoveMember(int id, CancellationToken ct)
    {
        await groups.RemoveMemberAsync(Caller, RouteId(id), ct);
        return NoContent();
    }
}
