using System.ComponentModel.DataAnnotations;

namespace Actions.Data.Hosting;

/// <summary>The <c>Actions</c> configuration section (see the README's configuration table).</summary>
public sealed class ActionsOptions : IValidatableObject
{
    public const string Section = "Actions";

    [Required] public string DataDir { get; set; } = "./data";
    public string AppDbProvider { get; set; } = "Sqlite";
    public AdminOptions Admin { get; set; } = new();
    public bool SampleData { get; set; } = true;
    public PublicSharingOptions PublicSharing { get; set; } = new();
    public HttpActionOptions HttpActions { get; set; } = new();
    public ExecutionLogOptions ExecutionLog { get; set; } = new();
    public ForwardedHeadersOptions ForwardedHeaders { get; set; } = new();
    public QueryOptions Queries { get; set; } = new();

    public string DataDirFullPath => Path.GetFullPath(DataDir);

    /// <summary>Data annotations do not descend into nested sections; this does, naming the full key.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, section) in new (string, object)[] { (nameof(PublicSharing), PublicSharing), (nameof(HttpActions), HttpActions), (nameof(ExecutionLog), ExecutionLog), (nameof(ForwardedHeaders), ForwardedHeaders), (nameof(Queries), Queries) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true);
            foreach (var r in results)
                yield return new ValidationResult($"Actions:{name}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}", r.MemberNames);
        }
    }

    public sealed class AdminOptions
    {
        public string? Email { get; set; }
        public string? Password { get; set; }
    }

    public sealed class PublicSharingOptions
    {
        [Range(1, 1_000_000)] public int PerLinkPerSecond { get; set; } = 10;
        [Range(1, 1_000_000)] public int PerClientPerMinute { get; set; } = 120;
    }

    /// <summary>Reads of <c>POST /api/dataset</c> and <c>POST /api/card/:id/query</c>.</summary>
    public sealed class QueryOptions
    {
        /// <summary>The statement timeout: a read running longer is cancelled on the database.</summary>
        [Range(1, 86_400)] public int TimeoutSeconds { get; set; } = 60;
    }

    public sealed class HttpActionOptions
    {
        public bool AllowPrivateNetworks { get; set; }
        [Range(1, 3600)] public int TimeoutSeconds { get; set; } = 30;
        [Range(1, int.MaxValue)] public int MaxResponseBytes { get; set; } = 10_485_760;
    }

    /// <summary>Which proxies' <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed (none by default).</summary>
    public sealed class ForwardedHeadersOptions : IValidatableObject
    {
        /// <summary>Comma-separated IP addresses or CIDR ranges.</summary>
        public string KnownProxies { get; set; } = "";

        /// <summary>The configured entries, as ranges (validated at start, so every entry parses).</summary>
        public IReadOnlyList<System.Net.IPNetwork> Networks =>
            [.. Entries().Select(e => Parse(e) ?? throw new FormatException($"Not an IP address or CIDR range: {e}"))];

        private IEnumerable<string> Entries() => KnownProxies.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        /// <summary>A CIDR range, or a single address as a /32 or /128 range; null for anything else.</summary>
        private static System.Net.IPNetwork? Parse(string entry) =>
            System.Net.IPNetwork.TryParse(entry, out var network) ? network
            : System.Net.IPAddress.TryParse(entry, out var address)
                ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                : null;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            foreach (var entry in Entries())
                if (Parse(entry) is null)
                    yield return new ValidationResult($"'{entry}' is not an IP address or CIDR range", [nameof(KnownProxies)]);
        }
    }

    public sealed class ExecutionLogOptions
    {
        public bool StoreParameterValues { get; set; }

        /// <summary>Entries older than this many days are removed (hourly); 0 keeps every entry.</summary>
        [Range(0, 36_500)] public int RetentionDays { get; set; }
    }
}
