namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>Seeds 11 to 20 of <see cref="LossyTransfer"/> (a class of its own so that xunit runs it beside the other ten).</summary>
public sealed class LossyTransferSeedsElevenToTwentyTests
{
    public static TheoryData<ulong> Seeds => LossyTransfer.Seeds(11, 10);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Twenty_MiB_each_way_arrive_exactly_under_drop_reorder_duplication_and_corruption(ulong seed) => LossyTransfer.Run(seed);
}
