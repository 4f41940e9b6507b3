//! The configuration reference in the README is valid configuration.

#[test]
fn every_toml_example_in_the_readme_is_accepted() {
    let readme = include_str!("../README.md");
    let mut examples = 0;
    for block in readme.split("```toml\n").skip(1) {
        let toml = block.split("```").next().unwrap();
        if let Err(e) = warroom::config::ProcessConfig::from_toml(toml) {
            panic!("README example rejected: {e}\n{toml}");
        }
        examples += 1;
    }
    assert!(examples >= 2, "the README documents the config file");
}
