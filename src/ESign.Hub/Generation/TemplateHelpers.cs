using System.Collections.Frozen;
using System.Globalization;
using Scriban;
using Scriban.Functions;
using Scriban.Runtime;

namespace ESign.Hub.Generation;

/// <summary>
/// The functions our templates get on top of Scriban's builtins: <c>money</c>, <c>date</c>, and an <c>html</c> object
/// whose <c>escape</c> does nothing because every output is escaped already (see <see cref="HtmlEscapingContext"/>).
/// </summary>
internal static class TemplateHelpers
{
    // Currencies whose minor unit is 0 in ISO 4217; the rest get the culture's currency digits.
    private static readonly FrozenSet<string> ZeroDecimalCurrencies = FrozenSet.Create(StringComparer.Ordinal,
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF");

    // For currencies used by many regions, the region whose symbol readers expect ("$", not "US$").
    private static readonly FrozenDictionary<string, string> HomeRegions = new Dictionary<string, string>
    {
        ["USD"] = "US", ["EUR"] = "DE", ["GBP"] = "GB", ["CHF"] = "CH", ["CAD"] = "CA", ["AUD"] = "AU", ["NZD"] = "NZ",
        ["JPY"] = "JP", ["CNY"] = "CN", ["INR"] = "IN", ["SEK"] = "SE", ["NOK"] = "NO", ["DKK"] = "DK", ["PLN"] = "PL",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, string>> Symbols = new(LoadSymbols);

    public static ScriptObject Create(CultureInfo culture)
    {
        var helpers = new ScriptObject();
        helpers.Import("money", new Func<object?, string, string>((amount, currency) => Money(amount, currency, culture)));
        helpers.Import("date", new Func<object?, string, string>((value, format) => Date(value, format, culture)));

        var html = new ScriptObject();
        html.Import("escape", new Func<string?, string?>(text => text));
        html.Import("strip", new Func<TemplateContext, string?, string?>((context, text) => HtmlFunctions.Strip(context, text)));
        html.Import("url_encode", new Func<string?, string?>(HtmlFunctions.UrlEncode));
        html.Import("url_escape", new Func<string?, string?>(HtmlFunctions.UrlEscape));
        helpers["html"] = html;
        return helpers;
    }

    /// <summary><c>money 1234.5 "EUR"</c>: "€1,234.50" in en-US, "1.234,50 €" in de-DE.</summary>
    internal static string Money(object? amount, string currency, CultureInfo culture)
    {
        var value = amount switch
        {
            null => throw new ArgumentException("money: the amount is missing (null)."),
            string text => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new ArgumentException($"money: '{text}' is not a number."),
            IConvertible number => Convert.ToDecimal(number, CultureInfo.InvariantCulture),
            _ => throw new ArgumentException("money: the amount is not a number."),
        };
        var code = (currency ?? "").Trim().ToUpperInvariant();
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
            throw new ArgumentException($"money: '{currency}' is not an ISO 4217 currency code.");

        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.CurrencySymbol = Symbols.Value.GetValueOrDefault(code, code);
        if (ZeroDecimalCurrencies.Contains(code)) format.CurrencyDecimalDigits = 0;
        return value.ToString("C", format);
    }

    /// <summary><c>date "2026-03-01" "d MMMM yyyy"</c>: an ISO 8601 date or date-time from the data, in a .NET format.</summary>
    internal static string Date(object? value, string format, CultureInfo culture)
    {
        if (string.IsNullOrEmpty(format)) throw new ArgumentException("date: the format is missing.");
        return value switch
        {
            string text when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) =>
                day.ToString(format, culture),
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment) =>
                moment.ToString(format, culture),
            DateTime moment => moment.ToString(format, culture),
            DateTimeOffset moment => moment.ToString(format, culture),
            null => throw new ArgumentException("date: the value is missing (null)."),
            _ => throw new ArgumentException($"date: '{value}' is not an ISO 8601 date."),
        };
    }

    private static FrozenDictionary<string, string> LoadSymbols()
    {
        var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try { region = new RegionInfo(culture.Name); }
            catch (ArgumentException) { continue; }
            var code = region.ISOCurrencySymbol;
            var preferred = HomeRegions.TryGetValue(code, out var home) && region.TwoLetterISORegionName == home;
            if (preferred || !symbols.ContainsKey(code)) symbols[code] = region.CurrencySymbol;
        }
        foreach (var (code, home) in HomeRegions)
        {
            try { symbols[code] = new RegionInfo(home).CurrencySymbol; }
            catch (ArgumentException) { }
        }
        return symbols.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
