using System.Security.Cryptography;

namespace ESign.Hub.Hosting;

/// <summary>
/// Opaque ids with a type prefix (<c>sr_</c>, <c>doc_</c>…). The body is a ULID: 48 bits of milliseconds then 80
/// random bits in Crockford base32, so ids sort by creation time and cursor pagination can compare ids alone.
/// </summary>
public static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(string prefix, TimeProvider? clock = null)
    {
        var ms = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        Span<char> chars = stackalloc char[26];
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }
        // 80 random bits → 16 characters of 5 bits.
        UInt128 r = 0;
        foreach (var b in random) r = (r << 8) | b;
        for (var i = 25; i >= 10; i--)
        {
            chars[i] = Alphabet[(int)(r & 31)];
            r >>= 5;
        }
        return prefix + "_" + new string(chars);
    }
}
