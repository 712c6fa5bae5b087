namespace MixQ;

/// <summary>
/// An error caused by the user's input (a file, a shape, an option): the command line prints its message as
/// one line and exits non-zero, without a stack trace. Everything else is a bug and keeps its stack trace.
/// </summary>
public class MixQException(string message, Exception? inner = null) : Exception(message, inner);
