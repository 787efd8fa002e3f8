using System.Text;
using TinyStack.Http;
using TinyStack.Http.Parsing;

namespace TinyStack.Tests.Http;

public class RoutingTests
{
    [Theory]
    [InlineData("/", "/", true, "")]
    [InlineData("/", "/a", false, "")]
    [InlineData("/notes", "/notes", true, "")]
    [InlineData("/notes", "/NOTES", true, "")]
    [InlineData("/notes", "/notes/", false, "")]
    [InlineData("/notes/{id}", "/notes/42", true, "id=42")]
    [InlineData("/notes/{id}", "/notes/", false, "")]
    [InlineData("/notes/{id}", "/notes", false, "")]
    [InlineData("/notes/{id}", "/notes/42/x", false, "")]
    [InlineData("/a/{x}/b/{y}", "/a/1/b/2", true, "x=1,y=2")]
    [InlineData("/a/{x}/b/{y}", "/a/1/c/2", false, "")]
    [InlineData("/bytes/{n}", "/bytes/1073741824", true, "n=1073741824")]
    [InlineData("/static/{*path}", "/static/css/site.css", true, "path=css/site.css")]
    [InlineData("/static/{*path}", "/static/", true, "path=")]
    [InlineData("/static/{*path}", "/static", true, "path=")]
    [InlineData("/{*path}", "/any/thing", true, "path=any/thing")]
    public void Patterns_match_segments(string template, string path, bool matches, string values)
    {
        RoutePattern pattern = new(template);
        List<KeyValuePair<string, string>> found = [];
        Assert.Equal(matches, pattern.TryMatch(path, found));
        Assert.Equal(values, string.Join(",", found.Select(v => $"{v.Key}={v.Value}")));
    }

    [Fact]
    public void A_catch_all_must_be_last()
    {
        Assert.Throws<ArgumentException>(() => new RoutePattern("/{*rest}/x"));
        Assert.Throws<ArgumentException>(() => new RoutePattern("no-slash"));
    }

    [Theory]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/%2e%2e/etc/passwd", "/../etc/passwd")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/bad%zz", "/bad%zz")]
    [InlineData("/end%4", "/end%4")]
    public void Paths_are_percent_decoded_except_slashes(string raw, string decoded) =>
        Assert.Equal(decoded, HttpTarget.DecodePath(Encoding.ASCII.GetBytes(raw)));

    [Fact]
    public void Allow_lists_methods_in_a_stable_order() =>
        Assert.Equal("GET, HEAD, DELETE, OPTIONS", HttpApp.FormatAllow((1 << (int)RequestMethod.Delete) | (1 << (int)RequestMethod.Get) | (1 << (int)RequestMethod.Head) | (1 << (int)RequestMethod.Options)));
}
