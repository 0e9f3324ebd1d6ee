using KubeMesh.Api.Core.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>Events: what they are about, their type and count.</summary>
internal static class EventValidator
{
    public static void Validate(Event evt, ErrorList errors)
    {
        if (evt.InvolvedObject is null || (evt.InvolvedObject.Name.Length == 0 && evt.InvolvedObject.Kind.Length == 0))
        {
            errors.Required("involvedObject");
        }

        errors.OneOf("type", evt.Type, false, "Normal", "Warning");
        errors.NonNegative("count", evt.Count);
        if (evt.Reason.Length > 128)
        {
            errors.Add(KubeMesh.Api.Serialization.FieldError.TooLong("reason", evt.Reason, 128));
        }
    }
}
