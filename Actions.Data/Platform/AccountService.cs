using Actions.Data.Errors;
using Actions.Data.Security;
using Actions.Data.Store;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Actions.Data.Platform;

/// <summary>First-user setup, sign-in with session tokens, and turning a token or API key into a caller.</summary>
public sealed class AccountService(IDbContextFactory<AppDbContext> contexts, UserService users,
    IPasswordHasher<AppUser> hasher, TimeProvider time, CallerCache callers, LoginThrottle throttle)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(14);

    public async Task<bool> HasAnyUserAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => !u.IsApiKeyUser, ct);
    }

    /// <summary>Creates the first superuser and signs them in; 403 once any user exists.</summary>
    public async Task<string> SetupAsync(UserService.NewUser admin, SignInClient client, CancellationToken ct)
    {
        var created = await CreateFirstUserAsync(admin, ct);
        return await CreateSessionAsync(created.Id, client, ct);
    }

    /// <summary>Creates the first superuser; 403 once any user exists.</summary>
    public async Task<UserDto> CreateFirstUserAsync(UserService.NewUser admin, CancellationToken ct)
    {
        // One setup at a time, so two racing requests cannot both become the first user.
        await SetupLock.WaitAsync(ct);
        try
        {
            if (await HasAnyUserAsync(ct)) throw ApiError.Forbidden();
            return await users.CreateAsync(admin, superuser: true, ct);
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private readonly SemaphoreSlim SetupLock = new(1, 1);

    /// <summary>What an unknown email's password is checked against, so that it costs what a real check costs.</summary>
    private static readonly AppUser DummyUser = new() { Email = "nobody@invalid", NormalizedEmail = "NOBODY@INVALID" };
    private string DummyHash => _dummyHash ??= hasher.HashPassword(DummyUser, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
    private string? _dummyHash;

    /// <summary>Checks email and password; returns the new session token and the user id.</summary>
    public async Task<(string Token, int UserId)> LoginAsync(string email, string password, SignInClient client, CancellationToken ct)
    {
        var userId = await VerifyPasswordAsync(email, password, client.IpAddress, ct);
        return (await CreateSessionAsync(userId, client, ct), userId);
    }

    /// <summary>
    /// Checks email and password (throttled per email and per client IP) and records the sign-in; returns
    /// the user id. Unknown email, wrong password and inactive user all get the same 401, in the same time:
    /// a password is hashed whether or not the account exists.
    /// </summary>
    public async Task<int> VerifyPasswordAsync(string email, string password, string clientIp, CancellationToken ct)
    {
        var normalized = email.Trim().ToUpperInvariant();
        // Each attempt takes its slot before any hashing, atomically, so concurrent attempts cannot pass the limit;
        // a successful one gives its slots back.
        var wait = await throttle.ByEmail.TryAcquireAsync(normalized, ct);
        if (wait == 0)
        {
            wait = await throttle.ByIp.TryAcquireAsync(clientIp, ct);
            if (wait > 0) await throttle.ByEmail.ReleaseAsync(normalized, ct);
        }
        if (wait > 0) throw PlainError.TooManyAttempts(wait);

        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized && !u.IsApiKeyUser, ct);
        var matches = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, password) != PasswordVerificationResult.Failed;
        if (!(matches && user is { IsActive: true, PasswordHash: not null }))
            throw new FieldError(401, "password", "did not match stored password");
        await throttle.ByEmail.ResetAsync(normalized, ct);
        await throttle.ByIp.ReleaseAsync(clientIp, ct);
        user!.LastLogin = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return user.Id;
    }

    /// <summary>A new session for the user, remembering where it signed in from (login history).</summary>
    public async Task<string> CreateSessionAsync(int userId, SignInClient client, CancellationToken ct)
    {
        var token = Tokens.NewSessionToken();
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Sessions.Add(new UserSession
        {
            TokenHash = Tokens.Hash(token), UserId = userId, CreatedAt = now, LastUsedAt = now,
            IpAddress = client.StoredIpAddress, UserAgent = client.StoredUserAgent,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    public async Task LogoutAsync(string token, CancellationToken ct)
    {
        var digest = Tokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Sessions.Where(s => s.TokenHash == digest).ExecuteDeleteAsync(ct) > 0) await db.BumpVersionAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The caller a session token stands for, or null when it is unknown, expired or its user inactive.</summary>
    public async Task<Caller?> AuthenticateSessionAsync(string token, CancellationToken ct)
    {
        var digest = Tokens.Hash(token);
        if (callers.TryGet("s:" + digest, out var cached)) return cached;
        var loadedAt = callers.Version;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var session = await db.Sessions.FirstOrDefaultAsync(s => s.TokenHash == digest, ct);
        if (session is null) return null;
        var now = time.GetUtcNow().UtcDateTime;
        if (now - session.LastUsedAt > SessionLifetime)
        {
            db.Sessions.Remove(session);
            await db.SaveChangesAsync(ct);
            return null;
        }
        if (now - session.LastUsedAt > CallerCache.TouchInterval)
        {
            session.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        var caller = await LoadCallerAsync(db, session.UserId, ct);
        if (caller is not null) callers.Set("s:" + digest, caller, loadedAt, session.LastUsedAt + CallerCache.TouchInterval);
        return caller;
    }

    /// <summary>The caller an API key acts as, or null for an unknown or revoked key.</summary>
    public async Task<Caller?> AuthenticateApiKeyAsync(string key, CancellationToken ct)
    {
        var digest = Tokens.Hash(key);
        if (callers.TryGet("k:" + digest, out var cached)) return cached;
        var loadedAt = callers.Version;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var userId = await db.ApiKeys.Where(k => k.KeyHash == digest).Select(k => (int?)k.UserId).FirstOrDefaultAsync(ct);
        if (userId is null) return null;
        var caller = await LoadCallerAsync(db, userId.Value, ct);
        if (caller is not null) callers.Set("k:" + digest, caller, loadedAt);
        return caller;
    }

    public async Task<UserDto> CurrentAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await UserService.GetCoreAsync(db, caller.UserId, ct) ?? throw ApiError.NotFound();
    }

    private static async Task<Caller?> LoadCallerAsync(AppDbContext db, int userId, CancellationToken ct)
    {
        var active = await db.Users.AnyAsync(u => u.Id == userId && u.IsActive, ct);
        if (!active) return null;
        var groups = await db.GroupMemberships.Where(m => m.UserId == userId).Select(m => m.GroupId).ToListAsync(ct);
        return new Caller(userId, groups.Contains(PermissionGroup.AdministratorsId), groups.ToHashSet());
    }
}

/// <summary>Failed sign-ins per email (10) and per client IP (50) in a sliding 15-minute window, over every instance.</summary>
public sealed class LoginThrottle(ThrottleStore store, TimeProvider time)
{
    public SlidingWindowThrottle ByEmail { get; } = new(store, "login-email", 10, TimeSpan.FromMinutes(15), time);
    public SlidingWindowThrottle ByIp { get; } = new(store, "login-ip", 50, TimeSpan.FromMinutes(15), time);
}
