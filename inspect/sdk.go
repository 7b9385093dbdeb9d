package inspect

// SDKFor says what the user's SDK does with the exchange of v: the SDK
// named in opt.SDK, else the one detected from the request headers; nil
// when neither is known.
//
// PLACEHOLDER(#3): lands with the SDK tables.
func SDKFor(v *Verdict, opt Options) *SDKAnswer { return nil }
