using Actions.Data.Secrets;

namespace Actions.Tests.Http;

/// <summary>How a secret's <c>allowed_hosts</c> entries match the host of a rendered URL.</summary>
public sealed class SecretHostsTests
{
    [Theory]
    [InlineData("api.example.com", "http://api.example.com/x", true)]
    [InlineData("api.example.com", "https://API.Example.COM:8443/x", true)]
    [InlineData("API.EXAMPLE.COM", "https://api.example.com/", true)]
    [InlineData("api.example.com", "https://api.example.com./", true)]
    [InlineData("api.example.com", "https://example.com/", false)]
    [InlineData("api.example.com", "https://x.api.example.com/", false)]
    [InlineData("api.example.com", "https://api.example.com.evil.net/", false)]
    [InlineData("api.example.com", "https://api.example.com@evil.net/", false)]
    [InlineData("*.example.org", "https://a.example.org/", true)]
    [InlineData("*.example.org", "https://a.b.c.EXAMPLE.org/", true)]
    [InlineData("*.example.org", "https://example.org/", false)]
    [InlineData("*.example.org", "https://badexample.org/", false)]
    [InlineData("*.example.org", "https://a.example.org.evil.net/", false)]
    [InlineData("127.0.0.1", "http://127.0.0.1:8080/", true)]
    [InlineData("127.0.0.1", "http://127.0.0.2/", false)]
    [InlineData("127.0.0.1", "http://localhost/", false)]
    [InlineData("127.0.0.1", "http://2130706433/", true)]
    [InlineData("::1", "http://[::1]:8080/", true)]
    [InlineData("[::1]", "http://[0:0:0:0:0:0:0:1]/", true)]
    [InlineData("2001:db8::1", "http://[2001:DB8:0::1]/", true)]
    [InlineData("2001:db8::1", "http://[2001:db8::2]/", false)]
    [InlineData("*.example.org", "http://[::1]/", false)]
    [InlineData("localhost", "http://127.0.0.1/", false)]
    public void A_host_matches_names_case_insensitively_wildcards_below_the_domain_and_addresses_as_addresses(string allowed, string url, bool matches) =>
        Assert.Equal(matches, SecretHosts.Allows([allowed], new Uri(url)));

    [Fact]
    public void No_hosts_allow_nothing() => Assert.False(SecretHosts.Allows([], new Uri("http://api.example.com/")));

    [Fact]
    public void Any_entry_of_the_list_may_match() =>
        Assert.True(SecretHosts.Allows(["a.example.com", "*.example.org", "10.0.0.1"], new Uri("http://10.0.0.1/")));
}
