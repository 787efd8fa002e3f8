namespace TinyStack.Simulation.Tests.Tcp;

/// <summary>Seeds 1 to 10 of <see cref="LossyTransfer"/> (a class of its own so that xunit runs it beside the other ten).</summary>
public sealed class LossyTransferSeedsOneToTenTests
{
    public static TheoryData<ulong> Seeds => LossyTransfer.Seeds(1, 10);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Twenty_MiB_each_way_arrive_exactly_under_drop_reorder_duplication_and_corruption(ulong seed) => LossyTransfer.Run(seed);
}
