using KubeMesh.Api.Apps.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>ControllerRevisions (ValidateControllerRevision): data is required, the revision never negative; data never changes.</summary>
internal static class ControllerRevisionValidator
{
    public static void Validate(ControllerRevision revision, ErrorList errors)
    {
        if (revision.Data is null)
        {
            errors.Required("data", "data is mandatory");
        }

        errors.NonNegative("revision", revision.Revision);
    }

    public static void ValidateUpdate(ControllerRevision updated, ControllerRevision old, ErrorList errors)
    {
        if (!Equals(updated.Data, old.Data))
        {
            errors.Add(Api.Serialization.FieldError.Immutable("data", "<value omitted>"));
        }
    }
}
