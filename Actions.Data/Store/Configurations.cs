using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Actions.Data.Store;

public static class Limits
{
    public const int NameLength = 254;
    public const int PermissionLevelLength = 8;
    public const int HashLength = 64;
    public const int IdentifierLength = 256;
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(u => u.FirstName).HasMaxLength(Limits.NameLength);
        b.Property(u => u.LastName).HasMaxLength(Limits.NameLength);
    }
}

internal sealed class PermissionGroupConfiguration : IEntityTypeConfiguration<PermissionGroup>
{
    public void Configure(EntityTypeBuilder<PermissionGroup> b)
    {
        b.Property(g => g.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.HasIndex(g => g.Name).IsUnique();
        b.Property(g => g.RootPermission).HasMaxLength(Limits.PermissionLevelLength);
        b.HasData(
            new PermissionGroup { Id = PermissionGroup.AllUsersId, Name = "All Users", RootPermission = PermissionLevel.Write },
            new PermissionGroup { Id = PermissionGroup.AdministratorsId, Name = "Administrators", RootPermission = PermissionLevel.Write });
    }
}

internal sealed class GroupMembershipConfiguration : IEntityTypeConfiguration<GroupMembership>
{
    public void Configure(EntityTypeBuilder<GroupMembership> b)
    {
        b.HasIndex(m => new { m.GroupId, m.UserId }).IsUnique();
        b.HasIndex(m => m.UserId);
        b.HasOne<PermissionGroup>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> b)
    {
        b.HasKey(s => s.TokenHash);
        b.Property(s => s.TokenHash).HasMaxLength(Limits.HashLength);
        b.HasIndex(s => s.UserId);
        b.Property(s => s.IpAddress).HasMaxLength(Platform.SignInClient.MaxIpAddressLength);
        b.Property(s => s.UserAgent).HasMaxLength(Platform.SignInClient.MaxUserAgentLength);
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StoreVersionConfiguration : IEntityTypeConfiguration<StoreVersion>
{
    public void Configure(EntityTypeBuilder<StoreVersion> b)
    {
        b.Property(v => v.Id).ValueGeneratedNever();
        b.HasData(new StoreVersion { Id = StoreVersion.SingletonId, Version = 1 });
    }
}

internal sealed class ThrottleEventConfiguration : IEntityTypeConfiguration<ThrottleEvent>
{
    public void Configure(EntityTypeBuilder<ThrottleEvent> b)
    {
        b.Property(e => e.Key).HasMaxLength(256).IsRequired();
        b.HasIndex(e => new { e.Key, e.At });
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(k => k.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.Property(k => k.KeyHash).HasMaxLength(Limits.HashLength).IsRequired();
        b.HasIndex(k => k.KeyHash).IsUnique();
        b.Property(k => k.MaskedKey).HasMaxLength(32);
        b.HasOne<PermissionGroup>().WithMany().HasForeignKey(k => k.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AppUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CollectionConfiguration : IEntityTypeConfiguration<Collection>
{
    public void Configure(EntityTypeBuilder<Collection> b)
    {
        b.Property(c => c.Name).HasMaxLength(Limits.NameLength).IsRequired();
        b.Property(c => c.Location).HasMaxLength(1024);
        b.HasOne<Collection>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CollectionPermissionConfiguration : IEntityTypeConfiguration<CollectionPermission>
{
    public void Configure(EntityTypeBuilder<CollectionPermission> b)
    {
        b.HasKey(p => new { p.GroupId, p.CollectionId });
        b.Property(p => p.Level).HasMaxLength(Limits.PermissionLevelLength);
        b.HasOne<PermissionGroup>().WithMany().HasForeignKey(p => p.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Collection>().WithMany().HasForeignKey(p => p.CollectionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AppSettingConfiguration : IEntityTypeConfiguration<AppSetting>
{
    public void Configure(EntityTypeBuilder<AppSetting> b)
    {
        b.HasKey(s => s.Key);
        b.Property(s => s.Key).HasMaxLength(128);
    }
}
