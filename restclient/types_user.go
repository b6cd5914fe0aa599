package restclient

import "time"

// User is Entities::User, the entity GitLab embeds in jobs and answers for
// /users/:id; pipelines embed the smaller UserBasic, which leaves the profile
// fields empty. Fields GitLab shows only to some viewers are pointers.
type User struct {
	ID              int64      `json:"id"`
	Username        string     `json:"username"`
	Name            string     `json:"name"`
	State           string     `json:"state"`
	Locked          *bool      `json:"locked"` // newer GitLab versions only
	AvatarURL       string     `json:"avatar_url"`
	WebURL          string     `json:"web_url"`
	CreatedAt       *time.Time `json:"created_at"`
	Bio             string     `json:"bio"`
	Location        string     `json:"location"`
	PublicEmail     string     `json:"public_email"`
	Skype           string     `json:"skype"`
	Linkedin        string     `json:"linkedin"`
	Twitter         string     `json:"twitter"`
	Discord         string     `json:"discord"`
	WebsiteURL      string     `json:"website_url"`
	Organization    string     `json:"organization"`
	JobTitle        string     `json:"job_title"`
	Pronouns        string     `json:"pronouns"`
	Bot             bool       `json:"bot"`
	WorkInformation string     `json:"work_information"`
	Followers       *int       `json:"followers"`
	Following       *int       `json:"following"`
	LocalTime       string     `json:"local_time"`
	IsFollowed      *bool      `json:"is_followed"` // only on /users/:id, for an authenticated caller
	Email           string     `json:"email"`       // only on /user for the token's own user
}
