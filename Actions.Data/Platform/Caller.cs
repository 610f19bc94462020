using Actions.Data.Errors;

namespace Actions.Data.Platform;

/// <summary>Who is asking: every service method that checks permissions takes one.</summary>
public sealed record Caller(int UserId, bool IsSuperuser, IReadOnlySet<int> GroupIds)
{
    public void RequireSuperuser()
    {
        if (!IsSuperuser) throw ApiError.Forbidden();
    }
}
