using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace KubeMesh.Api.Quantities;

/// <summary>
/// Kubernetes' resource.Quantity: a fixed-point number with an SI, binary or exponent suffix ("250m", "64Mi",
/// "1e3"). Values are exact to the nano unit and round up below it, as in Kubernetes; equality compares amounts,
/// so "1Gi" equals "1024Mi".
/// </summary>
public readonly struct Quantity : IEquatable<Quantity>, IComparable<Quantity>
{
    public const string FormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    private static readonly (string Suffix, int Exponent)[] DecimalSuffixes =
        [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

    private Quantity(decimal amount, QuantityFormat format)
    {
        Amount = amount;
        Format = format;
    }

    public static Quantity Zero { get; } = new(0, QuantityFormat.DecimalSI);

    /// <summary>The exact amount in base units (cores, bytes).</summary>
    public decimal Amount { get; }

    public QuantityFormat Format { get; }

    /// <summary>The amount in base units rounded up: bytes for memory, whole cores for CPU.</summary>
    public long Value => checked((long)decimal.Ceiling(Amount));

    /// <summary>The amount in thousandths rounded up: millicores for CPU.</summary>
    public long MilliValue => checked((long)decimal.Ceiling(Amount * 1000));

    public bool IsZero => Amount == 0;

    public static Quantity FromMilli(long milli) => new(milli / 1000m, QuantityFormat.DecimalSI);

    public static Quantity FromValue(long value, QuantityFormat format = QuantityFormat.DecimalSI) => new(value, format);

    public static Quantity Parse(string text) =>
        TryParse(text, out var quantity, out var reason) ? quantity : throw new FormatException($"{text}: {reason}");

    public static bool TryParse([NotNullWhen(true)] string? text, out Quantity quantity) => TryParse(text, out quantity, out _);

    public static bool TryParse([NotNullWhen(true)] string? text, out Quantity quantity, [NotNullWhen(false)] out string? reason)
    {
        quantity = Zero;
        reason = FormatError;
        if (string.IsNullOrEmpty(text) || !SplitNumber(text, out var number, out var suffix))
        {
            return false;
        }

        if (!Multiplier(suffix, out var multiplier, out var format))
        {
            reason = suffix.All(c => char.IsAsciiDigit(c) || "eEinumkKMGTP+-".Contains(c))
                ? $"unable to parse quantity's suffix \"{suffix}\""
                : FormatError;
            return false;
        }

        try
        {
            var amount = decimal.Parse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * multiplier;
            quantity = new Quantity(RoundUpToNano(amount), format);
            reason = null;
            return true;
        }
        catch (OverflowException)
        {
            reason = "quantity is too large";
            return false;
        }
    }

    public Quantity Add(Quantity other) => new(Amount + other.Amount, Format);

    public Quantity Subtract(Quantity other) => new(Amount - other.Amount, Format);

    public static Quantity operator +(Quantity a, Quantity b) => a.Add(b);

    public static Quantity operator -(Quantity a, Quantity b) => a.Subtract(b);

    public static bool operator ==(Quantity a, Quantity b) => a.Equals(b);

    public static bool operator !=(Quantity a, Quantity b) => !a.Equals(b);

    public static bool operator <(Quantity a, Quantity b) => a.Amount < b.Amount;

    public static bool operator >(Quantity a, Quantity b) => a.Amount > b.Amount;

    public static bool operator <=(Quantity a, Quantity b) => a.Amount <= b.Amount;

    public static bool operator >=(Quantity a, Quantity b) => a.Amount >= b.Amount;

    public bool Equals(Quantity other) => Amount == other.Amount;

    public override bool Equals(object? obj) => obj is Quantity other && Equals(other);

    public override int GetHashCode() => Amount.GetHashCode();

    public int CompareTo(Quantity other) => Amount.CompareTo(other.Amount);

    /// <summary>The canonical form: the largest suffix of the quantity's format that keeps the number whole.</summary>
    public override string ToString()
    {
        if (Amount == 0)
        {
            return "0";
        }

        if (Format == QuantityFormat.BinarySI && decimal.Truncate(Amount) == Amount)
        {
            var mantissa = Amount;
            var power = 0;
            while (power < BinarySuffixes.Length - 1 && mantissa % 1024 == 0)
            {
                mantissa /= 1024;
                power++;
            }

            return Whole(mantissa) + BinarySuffixes[power];
        }

        // Binary amounts with a fraction ("0.1Ki") are written in decimal, as Kubernetes does.
        for (var i = DecimalSuffixes.Length - 1; i >= 0; i--)
        {
            var (suffix, exponent) = DecimalSuffixes[i];
            var mantissa = Amount / Pow10(exponent);
            if (decimal.Truncate(mantissa) == mantissa)
            {
                return Whole(mantissa) + (Format == QuantityFormat.DecimalExponent ? (exponent == 0 ? "" : $"e{exponent}") : suffix);
            }
        }

        return Whole(Amount * 1_000_000_000m) + "n";
    }

    private static string Whole(decimal value) => decimal.Truncate(value).ToString("0", CultureInfo.InvariantCulture);

    private static bool SplitNumber(string text, out string number, out string suffix)
    {
        var i = text[0] is '+' or '-' ? 1 : 0;
        var digits = 0;
        var dots = 0;
        for (; i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'); i++)
        {
            if (text[i] == '.')
            {
                dots++;
            }
            else
            {
                digits++;
            }
        }

        number = text[..i];
        suffix = text[i..];
        return digits > 0 && dots <= 1;
    }

    private static bool Multiplier(string suffix, out decimal multiplier, out QuantityFormat format)
    {
        format = QuantityFormat.DecimalSI;
        multiplier = 1;
        var binary = Array.IndexOf(BinarySuffixes, suffix);
        if (suffix.Length == 2 && binary > 0)
        {
            format = QuantityFormat.BinarySI;
            for (var i = 0; i < binary; i++)
            {
                multiplier *= 1024;
            }

            return true;
        }

        foreach (var (name, exponent) in DecimalSuffixes)
        {
            if (name == suffix)
            {
                multiplier = Pow10(exponent);
                return true;
            }
        }

        if (suffix.Length > 1 && suffix[0] is 'e' or 'E'
            && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var power)
            && char.IsAsciiDigit(suffix[^1]) && Math.Abs(power) <= 27)
        {
            format = QuantityFormat.DecimalExponent;
            multiplier = Pow10(power);
            return true;
        }

        return false;
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10;
        }

        return exponent < 0 ? 1 / result : result;
    }

    private static decimal RoundUpToNano(decimal amount)
    {
        if (decimal.Round(amount, 9) == amount)
        {
            return amount;
        }

        var nanos = amount * 1_000_000_000m;
        return (amount > 0 ? decimal.Ceiling(nanos) : decimal.Floor(nanos)) / 1_000_000_000m;
    }
}
