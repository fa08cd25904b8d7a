using ESign.Hub.Webhooks;

namespace ESign.Hub.Tests.Webhooks;

/// <summary>Standard Webhooks v1 against the spec's example, the vector agreed with the JS and Python libraries, and verification edge cases.</summary>
public sealed class StandardWebhooksTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    private const long Timestamp = 1674087231;
    private const string Body = """{"type":"envelope.completed","data":{"envelopeId":"env-42"}}""";
    private const string ExpectedSignature = "v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=";
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    [Fact]
    public void Sign_matches_the_spec_example()
    {
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            StandardWebhooks.Sign(Secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
    }

    [Fact]
    public void Sign_matches_the_vector_agreed_with_the_js_and_python_libraries()
    {
        Assert.Equal(ExpectedSignature, StandardWebhooks.Sign(Secret, MessageId, Timestamp, Body));
    }

    [Fact]
    public void Sign_accepts_a_secret_without_prefix()
    {
        Assert.Equal(ExpectedSignature, StandardWebhooks.Sign(Secret["whsec_".Length..], MessageId, Timestamp, Body));
    }

    [Theory]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_")]
    public void Sign_rejects_an_unusable_secret(string secret)
    {
        Assert.Throws<ArgumentException>(() => StandardWebhooks.Sign(secret, MessageId, Timestamp, Body));
    }

    [Fact]
    public void New_secret_is_prefixed_24_random_bytes()
    {
        var secret = StandardWebhooks.NewSecret();

        Assert.StartsWith("whsec_", secret);
        Assert.Equal(24, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, StandardWebhooks.NewSecret());
    }

    [Fact]
    public void Signature_header_has_one_signature_per_secret_in_order()
    {
        var other = StandardWebhooks.NewSecret();

        var header = StandardWebhooks.SignatureHeader([Secret, other], MessageId, Timestamp, Body);

        Assert.Equal($"{ExpectedSignature} {StandardWebhooks.Sign(other, MessageId, Timestamp, Body)}", header);
    }

    [Fact]
    public void Signature_header_needs_a_secret()
    {
        Assert.Throws<ArgumentException>(() => StandardWebhooks.SignatureHeader([], MessageId, Timestamp, Body));
    }

    [Fact]
    public void Verify_accepts_a_fresh_signature()
    {
        Assert.True(Verify(ExpectedSignature));
    }

    [Fact]
    public void Verify_accepts_a_freshly_made_secret_and_signature()
    {
        var secret = StandardWebhooks.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var ts = now.ToUnixTimeSeconds();

        Assert.True(StandardWebhooks.Verify(secret, "msg_1", ts.ToString(), StandardWebhooks.Sign(secret, "msg_1", ts, Body), Body, now));
    }

    [Fact]
    public void Verify_rejects_a_tampered_body()
    {
        Assert.False(StandardWebhooks.Verify(Secret, MessageId, Timestamp.ToString(), ExpectedSignature, Body.Replace("env-42", "env-43"), SentAt));
    }

    [Fact]
    public void Verify_rejects_a_different_message_id()
    {
        Assert.False(StandardWebhooks.Verify(Secret, "msg_other", Timestamp.ToString(), ExpectedSignature, Body, SentAt));
    }

    [Fact]
    public void Verify_rejects_a_wrong_secret()
    {
        Assert.False(StandardWebhooks.Verify(StandardWebhooks.NewSecret(), MessageId, Timestamp.ToString(), ExpectedSignature, Body, SentAt));
    }

    [Theory]
    [InlineData(-301)] // sent more than 5 minutes ago: a replay
    [InlineData(301)]  // sent more than 5 minutes in the future
    public void Verify_rejects_a_timestamp_outside_the_default_tolerance(int secondsFromNow)
    {
        Assert.False(Verify(ExpectedSignature, now: SentAt.AddSeconds(-secondsFromNow)));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Verify_accepts_a_timestamp_at_the_edge_of_the_tolerance(int secondsFromNow)
    {
        Assert.True(Verify(ExpectedSignature, now: SentAt.AddSeconds(-secondsFromNow)));
    }

    [Fact]
    public void Verify_uses_the_given_tolerance()
    {
        var now = SentAt.AddSeconds(30);

        Assert.False(Verify(ExpectedSignature, now: now, tolerance: TimeSpan.FromSeconds(10)));
        Assert.True(Verify(ExpectedSignature, now: now, tolerance: TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData("v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=")]
    [InlineData("v1a,abc v2,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=  v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=")]
    public void Verify_accepts_a_header_where_one_of_several_signatures_matches(string header)
    {
        Assert.True(Verify(header));
    }

    [Fact]
    public void Verify_accepts_the_header_signed_by_old_and_new_secret_with_either_secret()
    {
        var newSecret = StandardWebhooks.NewSecret();
        var header = StandardWebhooks.SignatureHeader([Secret, newSecret], MessageId, Timestamp, Body);

        Assert.True(StandardWebhooks.Verify(Secret, MessageId, Timestamp.ToString(), header, Body, SentAt));
        Assert.True(StandardWebhooks.Verify(newSecret, MessageId, Timestamp.ToString(), header, Body, SentAt));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("v1")]
    [InlineData("v1,")]
    [InlineData("v1,not base64!")]
    [InlineData("v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys")] // missing padding
    [InlineData("v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdysA")]
    [InlineData("v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=AAAA")] // longer than a SHA-256 MAC
    [InlineData("v1,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYI")] // shorter than a SHA-256 MAC
    [InlineData("v2,UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=")]
    [InlineData("UHj9s6Sl41hCNgvCc1SaqTqHG+UUM6/t9Avn5vYIdys=")]
    [InlineData(",,, v1,,")]
    public void Verify_returns_false_for_a_garbage_signature_header(string? header)
    {
        Assert.False(Verify(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-1674087231")]
    [InlineData(" 1674087231")]
    [InlineData("1674087231.0")]
    [InlineData("1e9")]
    [InlineData("99999999999999999999999")]
    [InlineData("9223372036854775807")]
    public void Verify_returns_false_for_a_garbage_timestamp(string? timestamp)
    {
        Assert.False(StandardWebhooks.Verify(Secret, MessageId, timestamp, ExpectedSignature, Body, SentAt));
    }

    [Fact]
    public void Verify_returns_false_for_a_missing_message_id_or_body()
    {
        Assert.False(StandardWebhooks.Verify(Secret, null, Timestamp.ToString(), ExpectedSignature, Body, SentAt));
        Assert.False(StandardWebhooks.Verify(Secret, MessageId, Timestamp.ToString(), ExpectedSignature, null, SentAt));
    }

    private static bool Verify(string? header, DateTimeOffset? now = null, TimeSpan? tolerance = null) =>
        StandardWebhooks.Verify(Secret, MessageId, Timestamp.ToString(), header, Body, now ?? SentAt, tolerance);
}
