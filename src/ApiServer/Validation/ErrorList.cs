using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Quantities;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>The errors of one validation run, with the small checks every kind's validator repeats.</summary>
internal sealed class ErrorList : List<FieldError>
{
    public void Invalid(string path, object? value, IReadOnlyList<string> reasons)
    {
        foreach (var reason in reasons)
        {
            Add(FieldError.Invalid(path, value, reason));
        }
    }

    public void Required(string path, string? detail = null) => Add(FieldError.Required(path, detail));

    /// <summary>
    /// An int-or-string field (a protobuf Value, which could carry anything a client sends over gRPC) holds a whole
    /// 32-bit number or a string; false, with the error added, when it holds something else.
    /// </summary>
    public bool IntOrString(string path, Value value)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StringValue:
            case Value.KindOneofCase.NumberValue when double.IsInteger(value.NumberValue) && value.NumberValue is >= int.MinValue and <= int.MaxValue:
                return true;
            case Value.KindOneofCase.NumberValue:
                Add(FieldError.Invalid(path, value.NumberValue, "must be a 32-bit integer"));
                return false;
            default:
                var got = value.KindCase switch
                {
                    Value.KindOneofCase.ListValue => "a list",
                    Value.KindOneofCase.StructValue => "an object",
                    Value.KindOneofCase.BoolValue => "a boolean",
                    _ => "null",
                };
                Add(new FieldError(path, $"wrong type: expected an integer or a string, got {got}"));
                return false;
        }
    }

    public void NonNegative(string path, long value)
    {
        if (value < 0)
        {
            Add(FieldError.Invalid(path, value, "must be greater than or equal to 0"));
        }
    }

    public void Positive(string path, long value)
    {
        if (value <= 0)
        {
            Add(FieldError.Invalid(path, value, "must be greater than 0"));
        }
    }

    /// <summary>An enumerated string; empty is "Required" when <paramref name="required"/>, else allowed.</summary>
    public void OneOf(string path, string value, bool required, params string[] supported)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                Add(FieldError.Required(path, "supported values: " + string.Join(", ", supported.Select(s => FieldError.Show(s)))));
            }
        }
        else if (!supported.Contains(value, StringComparer.Ordinal))
        {
            Add(FieldError.NotSupported(path, value, supported));
        }
    }

    public void Port(string path, long port, bool required = true)
    {
        if (port == 0 && required)
        {
            Required(path);
        }
        else if (port != 0)
        {
            Invalid(path, port, NameValidation.IsValidPortNumber(port));
        }
    }

    public Quantity? Quantity(string path, string value, bool nonNegative = true)
    {
        if (!KubeMesh.Api.Quantities.Quantity.TryParse(value, out var quantity, out var reason))
        {
            Add(FieldError.Invalid(path, value, reason));
            return null;
        }

        if (nonNegative && quantity.Amount < 0)
        {
            Add(FieldError.Invalid(path, value, "must be greater than or equal to 0"));
        }

        return quantity;
    }

    public void Labels(string path, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in labels)
        {
            Invalid(path, key, NameValidation.IsQualifiedName(key));
            Invalid($"{path}[{key}]", value, NameValidation.IsValidLabelValue(value));
        }
    }
}
