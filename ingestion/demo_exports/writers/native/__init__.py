"""The vendor-native shape: the same records as the contract-shape writers, in the files
the tools really export (a default Salesforce org's Data Loader export, HubSpot's APIs,
GA4's BigQuery export), read through ``mappings/vendor.yml``."""
