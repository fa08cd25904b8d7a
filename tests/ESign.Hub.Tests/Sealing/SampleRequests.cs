using System.Security.Cryptography;
using ESign.Hub.Samples;
using ESign.Hub.Sealing;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Sealing;

/// <summary>A completed two-signer request on a two-page Letter PDF, with every kind of field.</summary>
public static class SampleRequests
{
    public const string RequestId = "sr_7Kq2xZp4Lm9Vb3Nd";
    public const string TextValue = "Purchase order 4711";
    public const string LongUserAgent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36 " +
        "Edg/131.0.2903.70 SomeCorporateProxy/4.2 (build 20241201; +https://proxy.example.com/about-this-very-long-agent-string)";

    public static readonly DateTime Completed = new(2025, 3, 1, 10, 15, 30, DateTimeKind.Utc);

    public static readonly AuditSigner Alice = new("Alice Müller", "alice@example.com", "Buyer", "203.0.113.7", LongUserAgent,
        new DateTime(2025, 3, 1, 9, 0, 5, DateTimeKind.Utc), new DateTime(2025, 3, 1, 9, 2, 41, DateTimeKind.Utc), "Email link");

    public static readonly AuditSigner Bob = new("Bob O'Neil", "bob@example.org", null, "2001:db8:85a3::8a2e:370:7334",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)", new DateTime(2025, 3, 1, 10, 14, 2, DateTimeKind.Utc),
        Completed, "Email link + access code");

    public static SealInput Create(bool testMode = false, int timelineEntries = 8, IReadOnlyList<StampedField>? fields = null, byte[]? pdf = null)
    {
        pdf ??= TestPdfs.Letter(2);
        var signature = TestPngs.Signature();
        fields ??=
        [
            new(FieldType.Text, 1, 72, 120, 220, 18, TextValue, null, null),
            new(FieldType.Name, 1, 72, 150, 200, 16, "Alice Müller", null, null),
            new(FieldType.Email, 1, 72, 175, 200, 14, "alice@example.com", null, null),
            new(FieldType.Checkbox, 1, 72, 200, 14, 14, null, null, true),
            new(FieldType.Checkbox, 1, 92, 200, 14, 14, null, null, false),
            new(FieldType.Initials, 1, 500, 720, 60, 30, null, signature, null),
            new(FieldType.Signature, 2, 72, 600, 180, 50, null, signature, null),
            new(FieldType.DateSigned, 2, 72, 660, 120, 14, "2025-03-01", null, null),
        ];
        return new SealInput(pdf, Convert.ToHexStringLower(SHA256.HashData(pdf)), RequestId, "Supply agreement 2025", "Acme GmbH",
            testMode, fields, [Alice, Bob], Timeline(timelineEntries), Completed);
    }

    public static IReadOnlyList<AuditTimelineEntry> Timeline(int count)
    {
        string[] types = ["request.created", "request.sent", "signer.viewed", "signer.consented", "signer.signed"];
        return Enumerable.Range(0, count).Select(i => new AuditTimelineEntry(
            Completed.AddMinutes(-count + i), i == count - 1 ? "request.completed" : types[i % types.Length],
            i % 2 == 0 ? "alice@example.com" : "bob@example.org", i % 3 == 0 ? null : "203.0.113.7",
            i % 4 == 0 ? LongUserAgent : null)).ToList();
    }
}
