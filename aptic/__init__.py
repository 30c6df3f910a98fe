"""The #APTIC platform: the digital culture voucher."""
