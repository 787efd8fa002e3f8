namespace TinyStack.Tcp;

/// <summary>Something with observer notifications queued until the TCP layer finishes its current work.</summary>
internal interface INotifiable
{
    void DeliverNotifications();
}
