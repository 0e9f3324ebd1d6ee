namespace KubeMesh.ApiServer.Registry;

/// <summary>metav1.StatusCause: one field's problem, with the reason kube's field.ErrorType gives it ("FieldValueInvalid").</summary>
public sealed record ApiErrorCause(string Reason, string Message, string Field);
