using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Selectors;

namespace KubeMesh.Api.Tests.Selectors;

public sealed class LabelSelectorExpressionTests
{
    private static readonly Dictionary<string, string> WebProd = new() { ["app"] = "web", ["env"] = "prod" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("tier!=front", true)]
    [InlineData("app in (web,db)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("tier in (front)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web, db)", false)]
    [InlineData("tier notin (front)", true)]
    [InlineData("app", true)]
    [InlineData("tier", false)]
    [InlineData("!tier", true)]
    [InlineData("!app", false)]
    [InlineData("app=web,env=prod", true)]
    [InlineData("app=web,env=dev", false)]
    [InlineData(" app = web , env in ( prod ) , !tier ", true)]
    [InlineData("app=web,tier", false)]
    public void Matches_Table_FollowsKubernetesSemantics(string selector, bool expected) =>
        Assert.Equal(expected, LabelSelectorExpression.Parse(selector).Matches(WebProd));

    [Theory]
    [InlineData("app=", "app")]
    [InlineData("app!=", "app")]
    public void Matches_EmptyValue_MatchesOnlyEmptyLabel(string selector, string key)
    {
        var parsed = LabelSelectorExpression.Parse(selector);
        var expectMatchOnEmpty = !selector.Contains('!');
        Assert.Equal(expectMatchOnEmpty, parsed.Matches(new Dictionary<string, string> { [key] = "" }));
        Assert.Equal(!expectMatchOnEmpty, parsed.Matches(new Dictionary<string, string> { [key] = "x" }));
    }

    [Theory]
    [InlineData("env=prod,app=web", "app=web,env=prod")]
    [InlineData("app==web", "app=web")]
    [InlineData("app in (z, a, a)", "app in (a,z)")]
    [InlineData("b notin (x),!c,a", "a,b notin (x),!c")]
    [InlineData("example.com/tier!=front", "example.com/tier!=front")]
    [InlineData("", "")]
    public void ToString_Parsed_IsCanonical(string selector, string canonical)
    {
        var parsed = LabelSelectorExpression.Parse(selector);
        Assert.Equal(canonical, parsed.ToString());
        Assert.Equal(canonical, LabelSelectorExpression.Parse(parsed.ToString()).ToString());
    }

    [Theory]
    [InlineData("app=web,", "found end of selector")]
    [InlineData(",app", "expected a label key")]
    [InlineData("app in web", "expected '('")]
    [InlineData("app in (web", "expected ',' or ')'")]
    [InlineData("app in ()", "values set can't be empty")]
    [InlineData("app=web=db", "expected ',' or end of selector")]
    [InlineData("app web", "expected one of '='")]
    [InlineData("!", "expected a label key after '!'")]
    [InlineData("-app=web", "invalid label key \"-app\"")]
    [InlineData("app=we b", "expected ',' or end of selector")]
    [InlineData("app=-web", "invalid label value \"-web\"")]
    [InlineData("Example.com/app=web", "prefix part must be a lowercase RFC 1123 subdomain")]
    [InlineData("/app", "prefix part must be non-empty")]
    [InlineData("example.com/=x", "name part must be non-empty")]
    public void Parse_InvalidSyntax_ThrowsFormatExceptionSayingWhy(string selector, string problem)
    {
        var error = Assert.Throws<FormatException>(() => LabelSelectorExpression.Parse(selector));
        Assert.Contains(problem, error.Message);
        Assert.Contains(selector, error.Message);
    }

    [Fact]
    public void Parse_ValueLongerThan63_IsRejected()
    {
        var error = Assert.Throws<FormatException>(() => LabelSelectorExpression.Parse("app=" + new string('a', 64)));
        Assert.Contains("at most 63", error.Message);
        Assert.True(LabelSelectorExpression.Parse("app=" + new string('a', 63)).Matches(new Dictionary<string, string> { ["app"] = new string('a', 63) }));
    }

    [Fact]
    public void FromProto_MatchLabelsAndExpressions_AllMustHold()
    {
        var proto = new LabelSelector { MatchLabels = { ["app"] = "web" } };
        proto.MatchExpressions.Add(new LabelSelectorRequirement { Key = "env", Operator = "In", Values = { "prod", "staging" } });
        proto.MatchExpressions.Add(new LabelSelectorRequirement { Key = "canary", Operator = "DoesNotExist" });
        var selector = LabelSelectorExpression.FromProto(proto);

        Assert.Equal("app=web,!canary,env in (prod,staging)", selector.ToString());
        Assert.True(selector.Matches(WebProd));
        Assert.False(selector.Matches(new Dictionary<string, string>(WebProd) { ["canary"] = "yes" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["env"] = "dev" }));
    }

    [Fact]
    public void FromProto_MapField_MatchesLikeDictionary()
    {
        var selector = LabelSelectorExpression.FromProto(new LabelSelector { MatchLabels = { ["app"] = "web" } });
        var meta = new ObjectMeta { Labels = { ["app"] = "web" } };
        Assert.True(selector.Matches(meta.Labels));
        meta.Labels["app"] = "db";
        Assert.False(selector.Matches(meta.Labels));
    }

    [Fact]
    public void FromProto_NullAndEmpty_SelectNothingAndEverything()
    {
        Assert.False(LabelSelectorExpression.FromProto(null).Matches(WebProd));
        Assert.True(LabelSelectorExpression.FromProto(new LabelSelector()).Matches(WebProd));
        Assert.True(LabelSelectorExpression.FromProto(new LabelSelector()).IsEverything);
    }

    [Theory]
    [InlineData("Foo", "x", "matchExpressions[0].operator: Unsupported value: \"Foo\"")]
    [InlineData("In", null, "matchExpressions[0]: values: for 'in', 'notin' operators")]
    [InlineData("Exists", "x", "matchExpressions[0]: values: values set must be empty")]
    public void FromProto_InvalidExpression_NamesFieldPath(string op, string? value, string problem)
    {
        var proto = new LabelSelector();
        var requirement = new LabelSelectorRequirement { Key = "app", Operator = op };
        if (value is not null)
        {
            requirement.Values.Add(value);
        }

        proto.MatchExpressions.Add(requirement);
        var error = Assert.Throws<FormatException>(() => LabelSelectorExpression.FromProto(proto));
        Assert.StartsWith(problem, error.Message);
    }

    [Fact]
    public void FromProto_InvalidMatchLabelValue_NamesKey()
    {
        var error = Assert.Throws<FormatException>(() =>
            LabelSelectorExpression.FromProto(new LabelSelector { MatchLabels = { ["app"] = "bad value" } }));
        Assert.StartsWith("matchLabels[app]: invalid label value", error.Message);
    }
}
