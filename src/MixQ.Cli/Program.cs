using MixQ.Cli;

return MixQCommand.Run(args);
