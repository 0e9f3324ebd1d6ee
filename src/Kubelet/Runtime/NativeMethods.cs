using System.Runtime.InteropServices;

namespace KubeMesh.Kubelet.Runtime;

internal static class NativeMethods
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    /// <summary>rename(2): replaces <paramref name="newPath"/> atomically, a symlink included, without following it.</summary>
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    public static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", EntryPoint = "geteuid")]
    public static extern uint GetEffectiveUserId();
}
